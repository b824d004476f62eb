//! `Timestamp`: an instant as integer unix milliseconds, the form every backend stores (a
//! `BIGINT`, portable between SQLite and PostgreSQL), shown as RFC 3339 in UTC.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Serialize, Serializer};

const MILLIS_PER_DAY: i64 = 86_400_000;

/// An instant, in milliseconds since 1970-01-01T00:00:00Z (negative before).
///
/// The store never reads the clock on its own in a decision: callers pass `now`, so tests need no
/// clock. `Display` and serde give RFC 3339 (`2025-03-01T12:00:00Z`, with `.mmm` when the
/// milliseconds are not zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The instant `millis` milliseconds after the unix epoch.
    pub const fn from_unix_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// The system clock's current time (for callers at the edge: the CLI, the gateway).
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// This instant moved `duration` later, saturating at the end of time.
    pub fn saturating_add(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(millis))
    }

    /// This instant moved `duration` earlier, saturating at the start of time.
    pub fn saturating_sub(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_sub(millis))
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        let millis = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => {
                i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |millis| -millis)
            }
        };
        Self(millis)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(MILLIS_PER_DAY);
        let millis_of_day = self.0.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let seconds_of_day = millis_of_day / 1000;
        let (hour, minute, second) = (
            seconds_of_day / 3600,
            seconds_of_day / 60 % 60,
            seconds_of_day % 60,
        );
        write!(
            formatter,
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
        )?;
        match millis_of_day % 1000 {
            0 => formatter.write_str("Z"),
            millis => write!(formatter, ".{millis:03}Z"),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The proleptic Gregorian (year, month, day) of a count of days since 1970-01-01, after Howard
/// Hinnant's `civil_from_days` (eras of 400 years; March-based years put the leap day last).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days.saturating_add(719_468); // days since 0000-03-01
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * march_month + 2) / 5 + 1;
    let month = if march_month < 10 {
        march_month + 3
    } else {
        march_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn check(millis: i64, expect: &str) {
        assert_eq!(Timestamp::from_unix_millis(millis).to_string(), expect);
    }

    #[test]
    fn formats_rfc_3339_in_utc() {
        check(0, "1970-01-01T00:00:00Z");
        check(-1, "1969-12-31T23:59:59.999Z");
        check(951_782_400_000, "2000-02-29T00:00:00Z");
        check(951_868_800_000, "2000-03-01T00:00:00Z");
        check(1_700_000_000_123, "2023-11-14T22:13:20.123Z");
        check(4_107_542_399_000, "2100-02-28T23:59:59Z");
        check(253_402_300_799_999, "9999-12-31T23:59:59.999Z");
    }

    #[test]
    fn serializes_as_its_display() {
        let json = serde_json::to_string(&Timestamp::from_unix_millis(86_400_000)).unwrap();
        assert_eq!(json, "\"1970-01-02T00:00:00Z\"");
    }

    #[test]
    fn converts_system_times_on_both_sides_of_the_epoch() {
        let after = UNIX_EPOCH + Duration::from_millis(1500);
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(Timestamp::from(after).unix_millis(), 1500);
        assert_eq!(Timestamp::from(before).unix_millis(), -1500);
    }

    #[test]
    fn adding_saturates() {
        let late = Timestamp::from_unix_millis(i64::MAX - 1);
        assert_eq!(
            late.saturating_add(Duration::from_secs(1)).unix_millis(),
            i64::MAX
        );
        assert_eq!(
            Timestamp::from_unix_millis(5)
                .saturating_add(Duration::from_millis(7))
                .unix_millis(),
            12
        );
    }

    proptest! {
        #[test]
        fn days_and_dates_advance_together(millis in -(1_i64 << 45)..(1_i64 << 45)) {
            // The next day's date is the day after this one's, whatever the month or year.
            let today = civil_from_days(millis.div_euclid(MILLIS_PER_DAY));
            let tomorrow = civil_from_days(millis.div_euclid(MILLIS_PER_DAY) + 1);
            let next = if tomorrow.2 == 1 {
                if tomorrow.1 == 1 { (today.0 + 1, 1, 1) } else { (today.0, today.1 + 1, 1) }
            } else {
                (today.0, today.1, today.2 + 1)
            };
            prop_assert_eq!(tomorrow, next);
            prop_assert!((1..=12).contains(&today.1) && (1..=31).contains(&today.2));
        }

        #[test]
        fn display_never_panics(millis in any::<i64>()) {
            let text = Timestamp::from_unix_millis(millis).to_string();
            prop_assert!(text.ends_with('Z'));
        }
    }
}
