//! The documented values of `answer_speak_lang` and `answer_tts_voice` (and their
//! `answermachine_` twins).

/// Basic TTS languages (`answer_speak_lang`), from the make-calls page's "Speak Lang" table.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en-GB", "English (British)"),
    ("en-US", "English (USA)"),
    ("fr-FR", "French"),
    ("de-DE", "German"),
    ("it-IT", "Italian"),
    ("pt-BR", "Portuguese"),
    ("ru-RU", "Russian"),
    ("es-ES", "Spanish"),
    ("es-US", "Spanish (USA)"),
];

/// Premium TTS voices (`answer_tts_voice`), from the vendor's TTS API page (the make-calls
/// page shows `en-US_AllisonVoice` and points to "the table below", which the TTS page
/// fills).
pub const VOICES: &[&str] = &[
    "en-US_AllisonVoice",
    "en-US_LisaVoice",
    "en-US_MichaelVoice",
    "en-GB_KateVoice",
    "de-DE_BirgitVoice",
    "de-DE_DieterVoice",
    "es-ES_EnriqueVoice",
    "es-ES_LauraVoice",
    "es-LA_SofiaVoice",
    "es-US_SofiaVoice",
    "fr-FR_ReneeVoice",
    "it-IT_FrancescaVoice",
    "ja-JP_EmiVoice",
    "pt-BR_IsabelaVoice",
];

/// The language a prompt is spoken in when the campaign does not say (the default,
/// and the page's own examples).
pub const DEFAULT_LANGUAGE: &str = "en-US";

/// Whether `code` is a documented basic TTS language.
pub fn is_language(code: &str) -> bool {
    LANGUAGES.iter().any(|(c, _)| *c == code)
}

/// Whether `code` is a documented premium voice.
pub fn is_voice(code: &str) -> bool {
    VOICES.contains(&code)
}
