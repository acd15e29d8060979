//! The labels of the case form and the view form, in Dutch and English.
//!
//! One table serves both directions: the blank forms loket sends are rendered from it, and
//! the form reader in `crate::mail` recognises these labels (and the listed variants) when
//! they come back. Change a label here and both sides follow.

use crate::config::model::Lang;
use crate::core::model::{CaseField, Position};

/// How a case-form field is labelled. The first label of each language is the one loket
/// writes; the rest are variants it accepts.
pub struct CaseLabel {
    pub field: CaseField,
    pub nl: &'static [&'static str],
    pub en: &'static [&'static str],
    /// Help text shown after the label in the blank form.
    pub hint_nl: &'static str,
    pub hint_en: &'static str,
}

pub const CASE_LABELS: &[CaseLabel] = &[
    CaseLabel {
        field: CaseField::Ministry,
        nl: &["Indienend ministerie", "Ministerie"],
        en: &["Submitting ministry", "Ministry"],
        hint_nl: "afkorting of naam, bijvoorbeeld BZK",
        hint_en: "code or name, for example BZK",
    },
    CaseLabel {
        field: CaseField::Contact,
        nl: &["Contactpersoon", "Contact"],
        en: &["Contact person", "Contact"],
        hint_nl: "naam, e-mailadres en telefoonnummer",
        hint_en: "name, e-mail address and telephone number",
    },
    CaseLabel {
        field: CaseField::Subject,
        nl: &["Onderwerp", "Titel"],
        en: &["Subject", "Title"],
        hint_nl: "korte titel van de casus",
        hint_en: "short title of the case",
    },
    CaseLabel {
        field: CaseField::Description,
        nl: &[
            "Casuspositie",
            "Omschrijving casus",
            "Omschrijving",
            "Casus",
        ],
        en: &[
            "Description of the case",
            "Case description",
            "Description",
            "Case",
        ],
        hint_nl: "de feiten en het verloop, zo volledig mogelijk",
        hint_en: "the facts and what happened, as complete as possible",
    },
    CaseLabel {
        field: CaseField::Question,
        nl: &[
            "Vraag aan het gremium",
            "Vraag aan het overleggremium",
            "Vraagstelling",
            "Vraag",
        ],
        en: &["Question to the body", "Question"],
        hint_nl: "wat wilt u van de leden weten?",
        hint_en: "what do you want to know from the members?",
    },
    CaseLabel {
        field: CaseField::Urgency,
        nl: &["Spoed", "Urgentie"],
        en: &["Urgent", "Urgency"],
        hint_nl: "ja of nee",
        hint_en: "yes or no",
    },
    CaseLabel {
        field: CaseField::DesiredDate,
        nl: &[
            "Gewenste reactiedatum",
            "Reactie gewenst voor",
            "Uiterste reactiedatum",
        ],
        en: &["Desired response date", "Response needed by"],
        hint_nl: "dd-mm-jjjj, leeg laten voor de gewone termijn",
        hint_en: "yyyy-mm-dd, leave empty for the usual period",
    },
    CaseLabel {
        field: CaseField::Attachments,
        nl: &["Bijlagen", "Bijlage"],
        en: &["Attachments", "Attachment"],
        hint_nl: "namen van de meegestuurde bijlagen",
        hint_en: "names of the attached documents",
    },
];

/// A field of the view form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ViewField {
    Position,
    Arguments,
    Compensation,
    Remarks,
}

pub struct ViewLabel {
    pub field: ViewField,
    pub nl: &'static [&'static str],
    pub en: &'static [&'static str],
    pub hint_nl: &'static str,
    pub hint_en: &'static str,
}

pub const VIEW_LABELS: &[ViewLabel] = &[
    ViewLabel {
        field: ViewField::Position,
        nl: &["Standpunt", "Visie", "Advies"],
        en: &["Position", "View", "Advice"],
        hint_nl: "ja / nee / onder voorwaarden",
        hint_en: "advisable / not advisable / under conditions",
    },
    ViewLabel {
        field: ViewField::Arguments,
        nl: &["Argumenten", "Motivering", "Onderbouwing"],
        en: &["Arguments", "Reasons", "Reasoning"],
        hint_nl: "waarom wel of niet tegemoetkomen?",
        hint_en: "why (not) compensate?",
    },
    ViewLabel {
        field: ViewField::Compensation,
        nl: &["Vorm van tegemoetkoming", "Vorm tegemoetkoming", "Vorm"],
        en: &["Form of compensation", "Compensation"],
        hint_nl: "bijvoorbeeld een bedrag, excuses of een voorziening",
        hint_en: "for example an amount, an apology or a provision",
    },
    ViewLabel {
        field: ViewField::Remarks,
        nl: &["Opmerkingen", "Overige opmerkingen", "Toelichting"],
        en: &["Remarks", "Other remarks", "Comments"],
        hint_nl: "",
        hint_en: "",
    },
];

/// Words accepted for each position (compared lowercase, after trimming punctuation).
/// Longer phrases come first so that "niet geraden" wins over "geraden".
pub const POSITION_WORDS: &[(&str, Position)] = &[
    ("onder voorwaarden", Position::UnderConditions),
    ("under conditions", Position::UnderConditions),
    ("conditionally advisable", Position::UnderConditions),
    ("voorwaardelijk", Position::UnderConditions),
    ("conditional", Position::UnderConditions),
    ("niet geraden", Position::NotAdvisable),
    ("niet tegemoetkomen", Position::NotAdvisable),
    ("not advisable", Position::NotAdvisable),
    ("inadvisable", Position::NotAdvisable),
    ("nee", Position::NotAdvisable),
    ("no", Position::NotAdvisable),
    ("negatief", Position::NotAdvisable),
    ("geraden", Position::Advisable),
    ("wel tegemoetkomen", Position::Advisable),
    ("tegemoetkomen", Position::Advisable),
    ("advisable", Position::Advisable),
    ("ja", Position::Advisable),
    ("yes", Position::Advisable),
    ("positief", Position::Advisable),
];

pub fn case_label(field: CaseField, lang: Lang) -> &'static str {
    let l = CASE_LABELS
        .iter()
        .find(|l| l.field == field)
        .expect("every case field has a label");
    match lang {
        Lang::Nl => l.nl[0],
        Lang::En => l.en[0],
    }
}

pub fn view_label(field: ViewField, lang: Lang) -> &'static str {
    let l = VIEW_LABELS
        .iter()
        .find(|l| l.field == field)
        .expect("every view field has a label");
    match lang {
        Lang::Nl => l.nl[0],
        Lang::En => l.en[0],
    }
}

/// How a position is written in letters.
pub fn position_text(p: Position, lang: Lang) -> &'static str {
    match (p, lang) {
        (Position::Advisable, Lang::Nl) => "tegemoetkomen geraden",
        (Position::NotAdvisable, Lang::Nl) => "tegemoetkomen niet geraden",
        (Position::UnderConditions, Lang::Nl) => "tegemoetkomen geraden onder voorwaarden",
        (Position::Unstated, Lang::Nl) => "geen standpunt aangegeven",
        (Position::Advisable, Lang::En) => "compensation advisable",
        (Position::NotAdvisable, Lang::En) => "compensation not advisable",
        (Position::UnderConditions, Lang::En) => "compensation advisable under conditions",
        (Position::Unstated, Lang::En) => "no position stated",
    }
}

/// The blank case form as text, with the labels the reader accepts.
pub fn blank_case_form(lang: Lang) -> String {
    let mut s = String::new();
    for l in CASE_LABELS {
        let (label, hint) = match lang {
            Lang::Nl => (l.nl[0], l.hint_nl),
            Lang::En => (l.en[0], l.hint_en),
        };
        s.push_str(&format!("{label}: \n  ({hint})\n\n"));
    }
    s
}

/// The blank view form as text.
pub fn blank_view_form(lang: Lang) -> String {
    let mut s = String::new();
    for l in VIEW_LABELS {
        let (label, hint) = match lang {
            Lang::Nl => (l.nl[0], l.hint_nl),
            Lang::En => (l.en[0], l.hint_en),
        };
        if hint.is_empty() {
            s.push_str(&format!("{label}: \n\n"));
        } else {
            s.push_str(&format!("{label}: \n  ({hint})\n\n"));
        }
    }
    s
}
