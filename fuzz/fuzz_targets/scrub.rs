//! The one scrubber, on a page a provider might send back: what it prints holds no secret in
//! any form, and an excerpt (scrubbed before its cut) is exactly the start of the whole page
//! scrubbed, so no cut can leave part of a secret. The first byte picks the excerpt's length.
#![no_main]

use std::sync::OnceLock;

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use outdial::secret::Secrets;

const USER: &str = "acct42";
const PASSWORD: &str = "Tr0ubadour4Horse";
const ENDPOINT: &str = "http://gwuser:gw%40pass@127.0.0.1:9/";

fn secrets() -> &'static (Secrets, Vec<String>) {
    static S: OnceLock<(Secrets, Vec<String>)> = OnceLock::new();
    S.get_or_init(|| {
        let s = Secrets::new([USER, PASSWORD], Some((USER, PASSWORD))).with_urls([ENDPOINT]);
        let b64 = |pair: &str| base64::engine::general_purpose::STANDARD.encode(pair);
        let forms = vec![
            PASSWORD.to_owned(),
            "gw@pass".to_owned(),
            "gw%40pass".to_owned(),
            b64(&format!("{USER}:{PASSWORD}")),
            b64("gwuser:gw@pass"),
        ];
        (s, forms)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&max, page)) = data.split_first() else {
        return;
    };
    let (secrets, forms) = secrets();
    let text = String::from_utf8_lossy(page);
    let whole = secrets.scrub(&text);
    for form in forms {
        assert!(!whole.contains(form.as_str()), "{form:?} survives in {whole:?}");
    }
    let cut = secrets.excerpt(&text, usize::from(max));
    let cut = cut.strip_suffix('…').unwrap_or(&cut);
    let expected: String = whole
        .trim()
        .chars()
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .collect();
    assert!(
        expected.starts_with(cut),
        "the excerpt {cut:?} is not the start of the scrubbed page {expected:?}"
    );
});
