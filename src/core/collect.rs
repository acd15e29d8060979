//! Collection: a mail that answers a case. Matched by reply token first (Message-ID in
//! In-Reply-To/References, or a personal reply address), then by the subject tag; the sender
//! must be the member or deputy the token or the case expects. Anything else goes to the
//! desk, never silently onto a case.

use regex::Regex;
use std::sync::OnceLock;

use super::letters::*;
use super::model::*;
use super::{Action, Core, Out, State};
use crate::token::parse_seat_ref;

impl Core<'_> {
    /// Returns true when the mail was about a case (handled here, one way or another).
    pub(super) fn on_case_reply(
        &self,
        state: &mut State,
        mail: &InboundMail,
        from: &Address,
        now: Timestamp,
        out: &mut Out,
    ) -> bool {
        // 1. A verified token names case, seat and person.
        let addresses = mail.to.iter().chain(&mail.cc).map(|a| a.email.as_str());
        let token = mail
            .thread_ids()
            .chain(addresses)
            .filter_map(parse_seat_ref)
            .find(|r| self.key.verify(r.case, &r.member, r.person, &r.token));
        if let Some(r) = token {
            let Some(case) = state.cases.get_mut(&r.case) else {
                self.quarantine(
                    mail,
                    QuarantineReason::Unmatched,
                    &format!("a reply on case {} that the store does not know", r.case),
                    now,
                    out,
                );
                return true;
            };
            let person = case.seat(&r.member).and_then(|s| s.person_of(&from.email));
            match person {
                Some(p) => self.record_view(case, &r.member, p, mail, from, now, out),
                None => {
                    let expected = case
                        .seat(&r.member)
                        .and_then(|s| s.person_address(r.person))
                        .map(|a| a.email.clone())
                        .unwrap_or_default();
                    let reason = format!(
                        "sent from {} on a message addressed to {expected}; only the member or \
                         the deputy can give the view",
                        from.email
                    );
                    self.not_counted(case, mail, from, &reason, now, out);
                }
            }
            return true;
        }
        // 2. The subject tag names the case; the sender names the seat.
        let Some(id) = self.subject_case(&mail.subject) else {
            return false;
        };
        let Some(case) = state.cases.get_mut(&id) else {
            self.quarantine(
                mail,
                QuarantineReason::Unmatched,
                &format!("the subject names case {id}, which does not exist"),
                now,
                out,
            );
            return true;
        };
        let seat = case
            .seats
            .iter()
            .find_map(|s| s.person_of(&from.email).map(|p| (s.member_id.clone(), p)));
        match seat {
            Some((member, p)) => self.record_view(case, &member, p, mail, from, now, out),
            None if case.submitter.is(&from.email) || self.config.is_staff(&from.email) => {
                out.journal(
                    now,
                    Some(case.id),
                    JournalEvent::ReplyNotCounted {
                        raw_id: mail.raw_id,
                        from: from.email.clone(),
                        reason: "a message about the case, not a member's view".into(),
                    },
                );
                let details = vec![format!("from {}", from)];
                self.notify_desk(mail, NoticeKind::CaseMessage, Some(case), details, now, out);
                out.push(Action::Quarantine {
                    raw_id: mail.raw_id,
                    reason: format!("message about case {id} for the desk"),
                });
            }
            None => {
                let reason = format!("{} is not a member or deputy of the body", from.email);
                self.not_counted(case, mail, from, &reason, now, out);
            }
        }
        true
    }

    pub(super) fn subject_case(&self, subject: &str) -> Option<CaseId> {
        static TAG: OnceLock<Regex> = OnceLock::new();
        let re = TAG.get_or_init(|| {
            Regex::new(r"\[\s*([A-Za-z0-9-]{1,12})\s+(\d{4}-\d{1,6})\s*\]").expect("valid regex")
        });
        let head: String = subject.chars().take(500).collect();
        re.captures_iter(&head)
            .find(|c| c[1].eq_ignore_ascii_case(&self.config.body.tag))
            .and_then(|c| c[2].parse().ok())
    }

    fn not_counted(
        &self,
        case: &Case,
        mail: &InboundMail,
        from: &Address,
        reason: &str,
        now: Timestamp,
        out: &mut Out,
    ) {
        out.journal(
            now,
            Some(case.id),
            JournalEvent::ReplyNotCounted {
                raw_id: mail.raw_id,
                from: from.email.clone(),
                reason: reason.to_string(),
            },
        );
        out.push(Action::Quarantine {
            raw_id: mail.raw_id,
            reason: reason.to_string(),
        });
        let details = vec![reason.to_string()];
        self.notify_desk(
            mail,
            NoticeKind::ReplyNotCounted,
            Some(case),
            details,
            now,
            out,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn record_view(
        &self,
        case: &mut Case,
        member: &str,
        by: Person,
        mail: &InboundMail,
        from: &Address,
        now: Timestamp,
        out: &mut Out,
    ) {
        let late = case.status != CaseStatus::Open;
        let id = case.id;
        let Some(seat) = case.seat_mut(member) else {
            return;
        };
        let mut view = View {
            by,
            from: from.clone(),
            received_at: now,
            raw_id: mail.raw_id,
            message_id: mail.message_id.clone(),
            form: mail.view_form.clone(),
            text: mail.reply_text.clone(),
            status: ViewStatus::Current,
            late,
        };
        let mut conflict = None;
        if let Some(current) = seat
            .views
            .iter_mut()
            .find(|v| v.status == ViewStatus::Current)
        {
            if current.by == by {
                current.status = ViewStatus::Superseded;
                out.journal(
                    now,
                    Some(id),
                    JournalEvent::ViewSuperseded {
                        member: member.to_string(),
                        by,
                    },
                );
            } else if current.form.position == view.form.position
                || view.form.position == Position::Unstated
            {
                view.status = ViewStatus::Concurring;
            } else {
                view.status = ViewStatus::Conflicting;
                conflict = Some((current.from.clone(), current.form.position));
            }
        }
        out.journal(
            now,
            Some(id),
            JournalEvent::ViewRecorded {
                raw_id: mail.raw_id,
                member: member.to_string(),
                by,
                position: view.form.position,
                status: view.status,
            },
        );
        seat.views.push(view);
        if let Some((first, position)) = conflict {
            let details = vec![
                format!("{first} answered first for this seat ({position:?}); that answer counts"),
                format!(
                    "{} answered differently; the desk decides which stands",
                    from.email
                ),
            ];
            self.notify_desk(
                mail,
                NoticeKind::ViewConflict,
                Some(case),
                details,
                now,
                out,
            );
        } else if late {
            let details = vec![format!("{} answered after the bundle was sent", from.email)];
            self.notify_desk(mail, NoticeKind::LateView, Some(case), details, now, out);
        }
        if case.status == CaseStatus::Open && case.all_views_in() {
            self.bundle(case, BundleReason::AllViewsIn, now, out);
        }
        out.push(Action::SaveCase(Box::new(case.clone())));
    }
}
