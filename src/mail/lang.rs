//! Which language a text is in: Dutch, English, German or French, by counting common
//! words. Good enough to answer a sender in their language; `None` when unclear.

/// Common short words per language (lowercase). Words shared between the languages are
/// left out.
const WORDS: &[(&str, &[&str])] = &[
    (
        "nl",
        &[
            "de", "het", "een", "en", "van", "ik", "je", "dat", "niet", "op", "te", "met", "voor",
            "zijn", "er", "maar", "ook", "wel", "graag", "groet", "hierbij", "akkoord", "bij",
            "naar", "wat", "uit", "kan", "nog", "dit", "deze", "geen", "wij", "jij", "mijn", "heb",
            "hebben", "worden", "wordt", "om", "aan", "als", "tot",
        ],
    ),
    (
        "en",
        &[
            "the", "and", "to", "of", "is", "that", "for", "you", "with", "this", "be", "are",
            "have", "not", "on", "please", "thanks", "regards", "it", "will", "can", "would", "my",
            "your", "we", "our", "from", "at", "as", "if", "or", "but", "there", "what",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "das", "und", "ist", "nicht", "ich", "sie", "mit", "für", "auf", "den",
            "dem", "ein", "eine", "zu", "wir", "auch", "sich", "es", "von", "bitte", "danke",
            "grüße", "gruß", "ihr", "ihnen", "wie", "noch", "nur", "aber",
        ],
    ),
    (
        "fr",
        &[
            "le",
            "la",
            "les",
            "et",
            "est",
            "pas",
            "je",
            "vous",
            "pour",
            "avec",
            "une",
            "des",
            "du",
            "que",
            "qui",
            "sur",
            "merci",
            "nous",
            "dans",
            "ce",
            "mais",
            "cordialement",
            "bonjour",
            "il",
            "elle",
            "au",
            "aux",
            "sont",
            "être",
        ],
    ),
];

/// How much text is looked at.
const LIMIT: usize = 16 * 1024;

/// The language of a text, if at least a few of its words make it clear.
pub fn detect(text: &str) -> Option<String> {
    let text = &text[..super::reply::floor_char_boundary(text, LIMIT)];
    let mut counts = [0usize; 4];
    for word in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty() && w.len() <= 14)
    {
        let w = word.to_lowercase();
        for (i, (_, list)) in WORDS.iter().enumerate() {
            if list.contains(&w.as_str()) {
                counts[i] += 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..WORDS.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
    let (best, second) = (counts[order[0]], counts[order[1]]);
    (best >= 3 && best * 2 > second * 3).then(|| WORDS[order[0]].0.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        assert_eq!(
            detect("Ik ben het eens met het voorstel, maar graag nog een toelichting.").as_deref(),
            Some("nl")
        );
        assert_eq!(
            detect("I agree with the proposal, but please send us the memo.").as_deref(),
            Some("en")
        );
        assert_eq!(
            detect("Ich bin nicht im Büro und habe keinen Zugriff auf die E-Mails.").as_deref(),
            Some("de")
        );
        assert_eq!(
            detect("Je suis absent et je n'ai pas accès à mes messages pour le moment.").as_deref(),
            Some("fr")
        );
        assert_eq!(detect("Ja."), None);
        assert_eq!(detect(""), None);
    }
}
