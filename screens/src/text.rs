//! Every sentence and label the screens show that is not a rule's own (the rules' sentences —
//! refusals, eligibility, punch verdicts, cancel windows — come from `offduty-domain` and the
//! core with their codes). Each message has a stable id, so a translation can replace the
//! English without touching the screens.

/// A message of the officer app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Msg {
    // Sync status, shown on every screen that reads the cache.
    SyncNever,
    Syncing,
    SyncedAt,
    OfflineSince,
    OfflineNever,
    // The board.
    BoardEmptyNeverSynced,
    BoardEmptyFiltered,
    BoardEmpty,
    BoardFiltersNone,
    PerHour,
    Estimate,
    SlotsFilled,
    SlotsOffered,
    Eligible,
    EligibilityUnknown,
    NearMeNeedsLocation,
    // Sign in.
    SignInSecretsPlatform,
    SignInServerRequired,
    SignInBusy,
    // Job detail.
    ActionClaim,
    ActionRequest,
    ActionJoinWaitlist,
    ActionWithdraw,
    ActionCancel,
    ActionTransfer,
    ActionOffer,
    ConfirmClaimTitle,
    ConfirmCancelTitle,
    ConfirmOfferTitle,
    ConfirmTransferTitle,
    ConfirmWithdrawTitle,
    ConfirmWithdraw,
    ConfirmOffer,
    ConfirmTransfer,
    ConfirmGoAhead,
    Keep,
    PlaceInLine,
    AwardDecidesNow,
    AwardDecidesAt,
    AwardFirstCome,
    AwardSeniority,
    AwardFewestHours,
    AwardRotation,
    AwardLottery,
    FilterWithin,
    FilterFrom,
    FilterTo,
    FilterMinPay,
    FilterEligibleOnly,
}

impl Msg {
    /// The stable id (`area.name`), for translation files.
    pub fn id(self) -> &'static str {
        self.entry().0
    }

    /// The English text, placeholders (`{name}`) unfilled.
    pub fn template(self) -> &'static str {
        self.entry().1
    }

    /// The English text of a message without placeholders.
    pub fn text(self) -> String {
        self.with(&[])
    }

    /// The English text with `{name}` placeholders filled from `args`.
    pub fn with(self, args: &[(&str, &str)]) -> String {
        let mut out = self.template().to_string();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    fn entry(self) -> (&'static str, &'static str) {
        match self {
            Msg::SyncNever => ("sync.never", "Not synced yet"),
            Msg::Syncing => ("sync.syncing", "Syncing…"),
            Msg::SyncedAt => ("sync.synced_at", "Updated {when}"),
            Msg::OfflineSince => ("sync.offline_since", "Offline — last updated {when}"),
            Msg::OfflineNever => (
                "sync.offline_never",
                "Offline — pull to refresh when you have a connection",
            ),
            Msg::BoardEmptyNeverSynced => (
                "board.empty_never_synced",
                "No jobs yet. Pull to refresh once you have a connection.",
            ),
            Msg::BoardEmptyFiltered => (
                "board.empty_filtered",
                "No jobs match your filters. Widen them to see more.",
            ),
            Msg::BoardEmpty => ("board.empty", "No upcoming jobs on the board right now."),
            Msg::BoardFiltersNone => ("board.filters_none", "All upcoming jobs"),
            Msg::PerHour => ("board.per_hour", "{amount}/h"),
            Msg::Estimate => ("board.estimate", "≈ {amount} for the shift"),
            Msg::SlotsFilled => ("board.slots_filled", "{filled} of {slots} filled"),
            Msg::SlotsOffered => ("board.slots_offered", "{offered} offered back"),
            Msg::Eligible => ("board.eligible", "You can work this"),
            Msg::EligibilityUnknown => (
                "board.eligibility_unknown",
                "Eligibility is checked after the first sync",
            ),
            Msg::NearMeNeedsLocation => (
                "board.near_me_needs_location",
                "Near me needs your location",
            ),
            Msg::SignInSecretsPlatform => (
                "sign_in.secrets",
                "Your session is kept in this phone's {store}; your signing key never leaves its {keystore}.",
            ),
            Msg::SignInServerRequired => (
                "sign_in.server_required",
                "Enter your department's server address",
            ),
            Msg::SignInBusy => ("sign_in.busy", "Signing in…"),
            Msg::ActionClaim => ("job.action.claim", "Claim"),
            Msg::ActionRequest => ("job.action.request", "Ask for this job"),
            Msg::ActionJoinWaitlist => ("job.action.join_waitlist", "Join the waitlist"),
            Msg::ActionWithdraw => ("job.action.withdraw", "Leave the line"),
            Msg::ActionCancel => ("job.action.cancel", "Cancel shift"),
            Msg::ActionTransfer => ("job.action.transfer", "Give to an officer"),
            Msg::ActionOffer => ("job.action.offer", "Offer on the board"),
            Msg::ConfirmClaimTitle => ("job.confirm.claim_title", "Claim this job?"),
            Msg::ConfirmCancelTitle => ("job.confirm.cancel_title", "Cancel this shift?"),
            Msg::ConfirmOfferTitle => ("job.confirm.offer_title", "Offer this shift?"),
            Msg::ConfirmTransferTitle => ("job.confirm.transfer_title", "Give this shift away?"),
            Msg::ConfirmWithdrawTitle => ("job.confirm.withdraw_title", "Leave the line?"),
            Msg::ConfirmWithdraw => (
                "job.confirm.withdraw",
                "You lose your place in line. Claiming again puts you at the end.",
            ),
            Msg::ConfirmOffer => (
                "job.confirm.offer",
                "You keep the shift until another eligible officer takes it.",
            ),
            Msg::ConfirmTransfer => (
                "job.confirm.transfer",
                "{name} gets the shift at once if they are eligible; it is no longer yours.",
            ),
            Msg::ConfirmGoAhead => ("common.go_ahead", "Go ahead"),
            Msg::Keep => ("common.keep", "Keep it"),
            Msg::PlaceInLine => ("job.place_in_line", "#{position} in line"),
            Msg::AwardDecidesNow => (
                "job.award_decides_now",
                "Decided the moment your claim reaches the server.",
            ),
            Msg::AwardDecidesAt => (
                "job.award_decides_at",
                "Decided when signups close, {when}.",
            ),
            Msg::AwardFirstCome => ("award.first_come", "First come"),
            Msg::AwardSeniority => ("award.seniority", "Seniority"),
            Msg::AwardFewestHours => ("award.fewest_hours", "Fewest hours"),
            Msg::AwardRotation => ("award.rotation", "Rotation"),
            Msg::AwardLottery => ("award.lottery", "Lottery"),
            Msg::FilterWithin => ("board.filter.within", "within {distance}"),
            Msg::FilterFrom => ("board.filter.from", "from {when}"),
            Msg::FilterTo => ("board.filter.to", "until {when}"),
            Msg::FilterMinPay => ("board.filter.min_pay", "{amount}/h or more"),
            Msg::FilterEligibleOnly => ("board.filter.eligible_only", "only jobs you can work"),
        }
    }

    /// Every message (tests check their ids are unique and their templates well formed).
    pub const ALL: &'static [Msg] = &[
        Msg::SyncNever,
        Msg::Syncing,
        Msg::SyncedAt,
        Msg::OfflineSince,
        Msg::OfflineNever,
        Msg::BoardEmptyNeverSynced,
        Msg::BoardEmptyFiltered,
        Msg::BoardEmpty,
        Msg::BoardFiltersNone,
        Msg::PerHour,
        Msg::Estimate,
        Msg::SlotsFilled,
        Msg::SlotsOffered,
        Msg::Eligible,
        Msg::EligibilityUnknown,
        Msg::NearMeNeedsLocation,
        Msg::SignInSecretsPlatform,
        Msg::SignInServerRequired,
        Msg::SignInBusy,
        Msg::ActionClaim,
        Msg::ActionRequest,
        Msg::ActionJoinWaitlist,
        Msg::ActionWithdraw,
        Msg::ActionCancel,
        Msg::ActionTransfer,
        Msg::ActionOffer,
        Msg::ConfirmClaimTitle,
        Msg::ConfirmCancelTitle,
        Msg::ConfirmOfferTitle,
        Msg::ConfirmTransferTitle,
        Msg::ConfirmWithdrawTitle,
        Msg::ConfirmWithdraw,
        Msg::ConfirmOffer,
        Msg::ConfirmTransfer,
        Msg::ConfirmGoAhead,
        Msg::Keep,
        Msg::PlaceInLine,
        Msg::AwardDecidesNow,
        Msg::AwardDecidesAt,
        Msg::AwardFirstCome,
        Msg::AwardSeniority,
        Msg::AwardFewestHours,
        Msg::AwardRotation,
        Msg::AwardLottery,
        Msg::FilterWithin,
        Msg::FilterFrom,
        Msg::FilterTo,
        Msg::FilterMinPay,
        Msg::FilterEligibleOnly,
    ];
}

/// The short name of an award rule, for a badge.
pub fn award_label(kind: offduty_domain::award::AwardRuleKind) -> String {
    use offduty_domain::award::AwardRuleKind as K;
    match kind {
        K::FirstCome => Msg::AwardFirstCome,
        K::Seniority => Msg::AwardSeniority,
        K::FewestHours => Msg::AwardFewestHours,
        K::Rotation => Msg::AwardRotation,
        K::Lottery => Msg::AwardLottery,
    }
    .text()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ids_are_unique_and_dotted() {
        let mut seen = HashSet::new();
        for m in Msg::ALL {
            assert!(seen.insert(m.id()), "duplicate id {}", m.id());
            assert!(m.id().contains('.'), "{} has no area", m.id());
            assert!(!m.template().is_empty());
        }
    }

    #[test]
    fn placeholders_are_filled_by_name() {
        assert_eq!(
            Msg::SlotsFilled.with(&[("filled", "1"), ("slots", "3")]),
            "1 of 3 filled"
        );
        assert_eq!(Msg::Eligible.text(), "You can work this");
    }
}
