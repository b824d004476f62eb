//! Fake dates and times: the same format with shifted values.
//!
//! The value is cut into digit runs, letter runs and single other characters, and the runs are given
//! roles by their layout: `Y-M-D`, `D/M/Y` or `M/D/Y` (told apart by which part exceeds 12), month and
//! weekday names (English, full or abbreviated), ordinals (`3rd`), `H:M[:S]` with `am`/`pm`, and lone
//! four-digit years. A complete date is shifted by up to a year either way with real calendar
//! arithmetic (the weekday follows); partial dates shift what they have (month and year by months, a
//! year by years); times shift by up to 12 hours. Each part keeps its width, case and abbreviation.
//! When day and month order is ambiguous (`03/04/2021`) the new day stays ≤ 12 so the fake is a valid
//! date under both readings. Digits with no recognised role get fresh digits.

use crate::operator::fake::FakeBytes;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const WEEKDAYS: [&str; 7] = [
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Digits,
    Alpha,
    Other,
}

struct Token<'a> {
    kind: Kind,
    text: &'a str,
}

impl Token<'_> {
    fn number(&self) -> Option<i64> {
        if self.kind != Kind::Digits || self.text.len() > 9 {
            return None;
        }
        self.text.parse().ok()
    }

    fn is_digits(&self, widths: std::ops::RangeInclusive<usize>) -> bool {
        self.kind == Kind::Digits && widths.contains(&self.text.len())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Keep,
    Year,
    Month,
    MonthName,
    Day,
    Ordinal,
    Hour,
    Minute,
    Second,
    Meridiem,
    Weekday,
    Digits,
}

/// A fake of a date or time value, or `None` if nothing in it looks like one.
pub(crate) fn fake_date(value: &str, rng: &mut FakeBytes<'_>) -> Option<String> {
    let tokens = tokenize(value);
    let mut roles = vec![Role::Keep; tokens.len()];
    find_times(&tokens, &mut roles);
    let ambiguous = find_numeric_dates(&tokens, &mut roles);
    find_names(&tokens, &mut roles);
    let mut has_year = roles.contains(&Role::Year);
    for (i, token) in tokens.iter().enumerate() {
        if roles[i] != Role::Keep || token.kind != Kind::Digits {
            continue;
        }
        let is_year =
            token.text.len() == 4 && token.number().is_some_and(|n| (1000..=2999).contains(&n));
        roles[i] = if is_year && !has_year {
            has_year = true;
            Role::Year
        } else {
            Role::Digits
        };
    }
    if roles.iter().all(|&r| r == Role::Keep) {
        return None;
    }

    let find = |role: Role| -> Option<(usize, i64)> {
        let i = roles.iter().position(|&r| r == role)?;
        let n = match role {
            Role::MonthName => month_index(tokens[i].text)? + 1,
            _ => tokens[i].number()?,
        };
        Some((i, n))
    };
    let year = find(Role::Year).map(|(i, n)| (i, full_year(n, tokens[i].text.len())));
    let month = find(Role::Month).or_else(|| find(Role::MonthName));
    let day = find(Role::Day);
    let mut new = Values::default();

    match (year, month, day) {
        (Some((_, y)), Some((_, m)), Some((_, d))) => {
            let (y2, m2, d2) = shift_days(y, m, d, rng);
            new.year = Some(y2);
            new.month = Some(m2);
            new.day = Some(if ambiguous && d2 > 12 {
                (d2 - 1) % 12 + 1
            } else {
                d2
            });
            new.weekday = new.day.map(|d| weekday(y2, m2, d));
        }
        (None, Some((_, m)), Some((_, d))) => {
            // No year: shift within a common year, so 29 February needs no special case.
            let (_, m2, d2) = shift_days(2001, m, d, rng);
            new.month = Some(m2);
            new.day = Some(if ambiguous && d2 > 12 {
                (d2 - 1) % 12 + 1
            } else {
                d2
            });
        }
        (Some((_, y)), Some((_, m)), None) => {
            let months = y * 12 + (m - 1) + nonzero(rng, 24);
            new.year = Some(months.div_euclid(12));
            new.month = Some(months.rem_euclid(12) + 1);
        }
        (Some((_, y)), None, _) => new.year = Some(y + nonzero(rng, 5)),
        (None, Some((_, m)), None) => {
            new.month = Some((m - 1 + rng.range(1, 11)).rem_euclid(12) + 1)
        }
        (None, None, Some(_)) => new.day = Some(rng.range(1, 28)),
        (None, None, None) => {}
    }
    if let (Some((year_index, y)), Some(y2)) = (year, new.year) {
        // Keep the year's width: a shift that would leave four digits goes the other way.
        if tokens[year_index].text.len() == 4 && !(1000..=9999).contains(&y2) {
            new.year = Some(2 * y - y2);
        }
    }
    shift_time(&tokens, &roles, &mut new, rng);

    let mut out = String::with_capacity(value.len() + 4);
    for (token, role) in tokens.iter().zip(&roles) {
        let width = token.text.len();
        match role {
            Role::Year => match new.year {
                Some(y) if width == 2 => out.push_str(&format!("{:02}", y.rem_euclid(100))),
                Some(y) => out.push_str(&format!("{y:0width$}")),
                None => out.push_str(token.text),
            },
            Role::Month => push_number(&mut out, new.month, token),
            Role::Day => push_number(&mut out, new.day, token),
            Role::Hour => push_number(&mut out, new.hour, token),
            Role::Minute => push_number(&mut out, new.minute, token),
            Role::Second => push_number(&mut out, new.second, token),
            Role::MonthName => match new.month {
                Some(m) => push_name(&mut out, MONTHS, m - 1, token.text),
                None => out.push_str(token.text),
            },
            Role::Weekday => {
                let w = new.weekday.unwrap_or_else(|| {
                    (weekday_index(token.text).unwrap_or(0) + rng.range(1, 6)) % 7
                });
                push_name(&mut out, WEEKDAYS, w, token.text);
            }
            Role::Ordinal => {
                let suffix: &str = match new.day {
                    Some(day) => ordinal_suffix(day),
                    None => token.text,
                };
                out.push_str(&same_case(suffix, token.text));
            }
            Role::Meridiem => {
                let text = if new.pm { "pm" } else { "am" };
                out.push_str(&same_case(text, token.text));
            }
            Role::Digits => {
                for (i, _) in token.text.char_indices() {
                    let low = i64::from(i == 0 && width > 1 && !token.text.starts_with('0'));
                    let digit = rng.range(low, 9);
                    out.push(char::from(b'0' + digit as u8));
                }
            }
            Role::Keep => out.push_str(token.text),
        }
    }
    Some(out)
}

/// The new values of each part.
#[derive(Default)]
struct Values {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    weekday: Option<i64>,
    hour: Option<i64>,
    minute: Option<i64>,
    second: Option<i64>,
    pm: bool,
}

fn tokenize(value: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut start = 0;
    let bytes = value.as_bytes();
    while start < value.len() {
        let kind_of = |b: u8| {
            if b.is_ascii_digit() {
                Kind::Digits
            } else if b.is_ascii_alphabetic() {
                Kind::Alpha
            } else {
                Kind::Other
            }
        };
        let kind = kind_of(bytes[start]);
        let mut end = start + 1;
        if kind == Kind::Other {
            // One whole character (it may be several bytes).
            while end < value.len() && !value.is_char_boundary(end) {
                end += 1;
            }
        } else {
            while end < value.len() && kind_of(bytes[end]) == kind {
                end += 1;
            }
        }
        tokens.push(Token {
            kind,
            text: &value[start..end],
        });
        start = end;
    }
    tokens
}

fn find_times(tokens: &[Token<'_>], roles: &mut [Role]) {
    let text = |i: usize| tokens.get(i).map_or("", |t| t.text);
    let mut i = 0;
    while i + 2 < tokens.len() {
        let is_time = tokens[i].is_digits(1..=2)
            && tokens[i].number().is_some_and(|h| h <= 23)
            && text(i + 1) == ":"
            && tokens[i + 2].is_digits(2..=2)
            && tokens[i + 2].number().is_some_and(|m| m <= 59);
        if !is_time {
            i += 1;
            continue;
        }
        roles[i] = Role::Hour;
        roles[i + 2] = Role::Minute;
        let mut last = i + 2;
        if text(i + 3) == ":" && tokens.get(i + 4).is_some_and(|t| t.is_digits(2..=2)) {
            roles[i + 4] = Role::Second;
            last = i + 4;
        }
        let mut j = last + 1;
        while text(j) == " " {
            j += 1;
        }
        if matches!(text(j).to_ascii_lowercase().as_str(), "am" | "pm") {
            roles[j] = Role::Meridiem;
        }
        i = last + 1;
    }
}

/// Marks `Y-M-D`, `D/M/Y`, `M/D/Y`, `Y-M` and `M/Y`; true if day and month order is ambiguous.
fn find_numeric_dates(tokens: &[Token<'_>], roles: &mut [Role]) -> bool {
    let free = |roles: &[Role], i: usize| roles.get(i) == Some(&Role::Keep);
    let sep = |i: usize| tokens.get(i).map_or("", |t| t.text);
    let mut ambiguous = false;
    let mut i = 0;
    while i < tokens.len() {
        let number = |k: usize| tokens.get(k).and_then(Token::number).unwrap_or(-1);
        let width = |k: usize| tokens.get(k).map_or(0, |t| t.text.len());
        let is_num = |roles: &[Role], k: usize| free(roles, k) && tokens[k].kind == Kind::Digits;
        let triple = i + 4 < tokens.len()
            && is_num(roles, i)
            && is_num(roles, i + 2)
            && is_num(roles, i + 4)
            && matches!(sep(i + 1), "-" | "/" | ".")
            && sep(i + 1) == sep(i + 3);
        if triple {
            let (a, b, c) = (number(i), number(i + 2), number(i + 4));
            let valid_day = |d: i64| (1..=31).contains(&d);
            let valid_month = |m: i64| (1..=12).contains(&m);
            let assigned = if width(i) == 4 && width(i + 2) <= 2 && width(i + 4) <= 2 {
                (valid_month(b) && valid_day(c)).then_some([Role::Year, Role::Month, Role::Day])
            } else if width(i) <= 2 && width(i + 2) <= 2 && matches!(width(i + 4), 2 | 4) && c >= 0
            {
                if valid_day(a) && a > 12 && valid_month(b) {
                    Some([Role::Day, Role::Month, Role::Year])
                } else if valid_day(b) && b > 12 && valid_month(a) {
                    Some([Role::Month, Role::Day, Role::Year])
                } else if valid_month(a) && valid_month(b) {
                    ambiguous = true;
                    Some([Role::Month, Role::Day, Role::Year])
                } else {
                    None
                }
            } else {
                None
            };
            if let Some([r0, r1, r2]) = assigned {
                roles[i] = r0;
                roles[i + 2] = r1;
                roles[i + 4] = r2;
                i += 5;
                continue;
            }
        }
        let pair = i + 2 < tokens.len()
            && is_num(roles, i)
            && is_num(roles, i + 2)
            && matches!(sep(i + 1), "-" | "/");
        if pair {
            if width(i) == 4 && width(i + 2) <= 2 && (1..=12).contains(&number(i + 2)) {
                roles[i] = Role::Year;
                roles[i + 2] = Role::Month;
                i += 3;
                continue;
            }
            if width(i) <= 2 && width(i + 2) == 4 && (1..=12).contains(&number(i)) {
                roles[i] = Role::Month;
                roles[i + 2] = Role::Year;
                i += 3;
                continue;
            }
        }
        i += 1;
    }
    ambiguous
}

/// Month and weekday names, and the day and year written next to a month name.
fn find_names(tokens: &[Token<'_>], roles: &mut [Role]) {
    let is_filler = |t: &Token<'_>| {
        matches!(t.text, " " | "," | "." | "-" | "/") || t.text.eq_ignore_ascii_case("of")
    };
    let is_day =
        |t: &Token<'_>| t.is_digits(1..=2) && t.number().is_some_and(|d| (1..=31).contains(&d));
    let is_ordinal = |t: &Token<'_>| {
        matches!(
            t.text.to_ascii_lowercase().as_str(),
            "st" | "nd" | "rd" | "th"
        )
    };
    let has_day = |roles: &[Role]| roles.contains(&Role::Day);
    for i in 0..tokens.len() {
        if tokens[i].kind != Kind::Alpha || roles[i] != Role::Keep {
            continue;
        }
        if weekday_index(tokens[i].text).is_some() {
            roles[i] = Role::Weekday;
            continue;
        }
        if month_index(tokens[i].text).is_none() || roles.contains(&Role::MonthName) {
            continue;
        }
        roles[i] = Role::MonthName;
        // A day before the name: `3 March`, `3rd of March`.
        let mut k = i;
        while k > 0 && is_filler(&tokens[k - 1]) {
            k -= 1;
        }
        if k >= 2
            && is_ordinal(&tokens[k - 1])
            && is_day(&tokens[k - 2])
            && roles[k - 2] == Role::Keep
        {
            roles[k - 2] = Role::Day;
            roles[k - 1] = Role::Ordinal;
        } else if k >= 1 && is_day(&tokens[k - 1]) && roles[k - 1] == Role::Keep {
            roles[k - 1] = Role::Day;
        }
        // A day and then a year after it: `March 3rd, 2021`, `March 2021`.
        let mut j = i + 1;
        while j < tokens.len() && is_filler(&tokens[j]) {
            j += 1;
        }
        if j < tokens.len() && !has_day(roles) && is_day(&tokens[j]) && roles[j] == Role::Keep {
            roles[j] = Role::Day;
            j += 1;
            if j < tokens.len() && is_ordinal(&tokens[j]) {
                roles[j] = Role::Ordinal;
                j += 1;
            }
            while j < tokens.len() && is_filler(&tokens[j]) {
                j += 1;
            }
        }
        if j < tokens.len() && tokens[j].is_digits(4..=4) && roles[j] == Role::Keep {
            roles[j] = Role::Year;
        }
    }
}

fn shift_time(tokens: &[Token<'_>], roles: &[Role], new: &mut Values, rng: &mut FakeBytes<'_>) {
    let value_of = |role: Role| {
        roles
            .iter()
            .position(|&r| r == role)
            .and_then(|i| tokens[i].number())
    };
    let (Some(hour), Some(minute)) = (value_of(Role::Hour), value_of(Role::Minute)) else {
        return;
    };
    let meridiem = roles
        .iter()
        .position(|&r| r == Role::Meridiem)
        .map(|i| tokens[i].text.eq_ignore_ascii_case("pm"));
    let hour24 = match meridiem {
        Some(pm) => hour % 12 + if pm { 12 } else { 0 },
        None => hour,
    };
    let minutes = (hour24 * 60 + minute + nonzero(rng, 12 * 60)).rem_euclid(24 * 60);
    let (h, m) = (minutes / 60, minutes % 60);
    new.minute = Some(m);
    new.pm = h >= 12;
    new.hour = Some(match meridiem {
        Some(_) if h % 12 == 0 => 12,
        Some(_) => h % 12,
        None => h,
    });
    if value_of(Role::Second).is_some() {
        new.second = Some(rng.range(0, 59));
    }
}

/// A non-zero offset in `-max..=max`.
fn nonzero(rng: &mut FakeBytes<'_>, max: i64) -> i64 {
    let magnitude = rng.range(1, max);
    if rng.below(2) == 0 {
        magnitude
    } else {
        -magnitude
    }
}

fn shift_days(y: i64, m: i64, d: i64, rng: &mut FakeBytes<'_>) -> (i64, i64, i64) {
    let d = d.min(days_in_month(y, m));
    civil_from_days(days_from_civil(y, m, d) + nonzero(rng, 365))
}

fn full_year(n: i64, width: usize) -> i64 {
    match (width, n) {
        (2, 0..=49) => 2000 + n,
        (2, _) => 1900 + n,
        _ => n,
    }
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// 0 = Sunday.
fn weekday(y: i64, m: i64, d: i64) -> i64 {
    (days_from_civil(y, m, d) + 4).rem_euclid(7)
}

fn month_index(word: &str) -> Option<i64> {
    let lower = word.to_ascii_lowercase();
    if lower == "sept" {
        return Some(8);
    }
    MONTHS
        .iter()
        .position(|m| *m == lower || (lower.len() == 3 && m.starts_with(&lower)))
        .map(|i| i as i64)
}

fn weekday_index(word: &str) -> Option<i64> {
    let lower = word.to_ascii_lowercase();
    let abbreviations = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    if let Some(i) = abbreviations.iter().position(|a| *a == lower) {
        return Some(i as i64);
    }
    if matches!(lower.as_str(), "tues" | "thur" | "thurs") {
        return Some(if lower == "tues" { 2 } else { 4 });
    }
    WEEKDAYS.iter().position(|w| *w == lower).map(|i| i as i64)
}

/// Writes name `index` of `names` in the style of `original`: abbreviated to three letters unless the
/// original was a full name, and in its case.
fn push_name<const N: usize>(out: &mut String, names: [&str; N], index: i64, original: &str) {
    let Some(name) = usize::try_from(index).ok().and_then(|i| names.get(i)) else {
        out.push_str(original);
        return;
    };
    let is_full = names.iter().any(|n| n.eq_ignore_ascii_case(original));
    let text = if is_full { name } else { &name[..3] };
    out.push_str(&same_case(text, original));
}

/// `text` (lower case) in the case style of `model`: all upper, all lower, or capitalised.
fn same_case(text: &str, model: &str) -> String {
    let letters = || model.chars().filter(char::is_ascii_alphabetic);
    if letters().count() > 1 && letters().all(|c| c.is_ascii_uppercase()) {
        return text.to_ascii_uppercase();
    }
    if letters().next().is_some_and(|c| c.is_ascii_uppercase()) {
        let mut chars = text.chars();
        return chars
            .next()
            .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
            .unwrap_or_default();
    }
    text.to_ascii_lowercase()
}

fn ordinal_suffix(day: i64) -> &'static str {
    match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// Writes a new number with the width of the original token (zero-padded if it was).
fn push_number(out: &mut String, value: Option<i64>, token: &Token<'_>) {
    match value {
        Some(n) if token.text.len() >= 2 => {
            out.push_str(&format!("{n:0width$}", width = token.text.len()))
        }
        Some(n) => out.push_str(&n.to_string()),
        None => out.push_str(token.text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::EntityType;
    use crate::operator::key::{Keys, OperatorKey};

    fn fakes(value: &str, n: u32) -> Vec<String> {
        let keys = Keys::derive(&OperatorKey::from_bytes([8; 32]).unwrap()).unwrap();
        (0..n)
            .map(|attempt| {
                let mut rng =
                    FakeBytes::new(&keys.fake, &EntityType::DateTime, value.as_bytes(), attempt);
                fake_date(value, &mut rng).unwrap()
            })
            .collect()
    }

    fn parse_ymd(s: &str) -> (i64, i64, i64) {
        let parts: Vec<i64> = s
            .split(['-', '/', '.'])
            .map(|p| p.parse().unwrap())
            .collect();
        (parts[0], parts[1], parts[2])
    }

    #[test]
    fn iso_dates_shift_and_stay_valid() {
        for fake in fakes("2021-03-04", 200) {
            assert_eq!(fake.len(), 10, "{fake}");
            let (y, m, d) = parse_ymd(&fake);
            assert!((2020..=2022).contains(&y), "{fake}");
            assert!(d <= days_in_month(y, m), "{fake}");
            assert_ne!(fake, "2021-03-04");
        }
    }

    #[test]
    fn ambiguous_day_month_stays_valid_both_ways() {
        for fake in fakes("03/04/2021", 200) {
            let (a, b, _) = parse_ymd(&fake);
            assert!((1..=12).contains(&a) && (1..=12).contains(&b), "{fake}");
            assert_eq!(fake.len(), 10);
        }
        for fake in fakes("25.12.2021", 100) {
            let (d, m, y) = parse_ymd(&fake);
            assert!(d <= days_in_month(y, m), "{fake}");
        }
    }

    #[test]
    fn formats_are_kept() {
        type Check = fn(&str) -> bool;
        let shapes: &[(&str, Check)] = &[
            ("March 3rd, 2021", |f| {
                let words: Vec<&str> = f.split(' ').collect();
                words.len() == 3
                    && MONTHS.iter().any(|m| {
                        m.eq_ignore_ascii_case(words[0])
                            && words[0].starts_with(|c: char| c.is_ascii_uppercase())
                    })
                    && words[1].ends_with(',')
                    && words[2].len() == 4
            }),
            ("3 Mar 2021", |f| {
                f.split(' ').nth(1).is_some_and(|m| m.len() == 3)
            }),
            ("Tue, 4 May 2021 10:30:00", |f| {
                f.len() >= 23 && f[3..5] == *", " && f.contains(':')
            }),
            ("10:30 PM", |f| f.ends_with(" AM") || f.ends_with(" PM")),
            ("2021-03-04T10:30:00Z", |f| {
                f.len() == 20 && f.as_bytes()[10] == b'T' && f.ends_with('Z')
            }),
            ("1987", |f| f.len() == 4 && f != "1987"),
            ("MARCH 2021", |f| {
                f.split(' ')
                    .next()
                    .is_some_and(|m| m.chars().all(|c| c.is_ascii_uppercase()))
            }),
        ];
        for (value, ok) in shapes {
            for fake in fakes(value, 50) {
                assert!(ok(&fake), "{value} -> {fake}");
            }
        }
    }

    #[test]
    fn weekday_follows_the_shifted_date() {
        for fake in fakes("Tuesday, 4 May 2021", 50) {
            let words: Vec<&str> = fake.split([' ', ',']).filter(|w| !w.is_empty()).collect();
            let d: i64 = words[1].parse().unwrap();
            let m = month_index(words[2]).unwrap() + 1;
            let y: i64 = words[3].parse().unwrap();
            assert_eq!(weekday_index(words[0]), Some(weekday(y, m, d)), "{fake}");
        }
    }

    #[test]
    fn calendar_round_trips() {
        for z in -800_000..800_000 {
            if z % 997 != 0 {
                continue;
            }
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(weekday(1970, 1, 1), 4);
        assert_eq!(weekday(2024, 2, 29), 4);
    }

    #[test]
    fn nothing_datelike_is_none() {
        let keys = Keys::derive(&OperatorKey::from_bytes([8; 32]).unwrap()).unwrap();
        let mut rng = FakeBytes::new(&keys.fake, &EntityType::DateTime, b"x", 0);
        assert_eq!(fake_date("yesterday", &mut rng), None);
        assert_eq!(fake_date("", &mut rng), None);
    }
}
