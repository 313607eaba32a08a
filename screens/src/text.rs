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
    // Sign in, job detail, my shifts, transfer, activity (screens1).
    SignInSecretsSoftware,
    SignInDone,
    SignInOffline,
    SignInLinkNotOurs,
    SignInLinkNoServer,
    VaultKeychain,
    VaultAndroidKeystore,
    VaultSystemKeyring,
    VaultMemory,
    KeySecureEnclave,
    KeyStrongBox,
    KeyAndroidKeystore,
    KeySoftware,
    JobMissing,
    AwardDecidedAt,
    AwardDecidesByCoordinator,
    ConfirmCancelReason,
    QueuedOffline,
    QueuedWaiting,
    ShiftsUpcoming,
    ShiftsInLine,
    ShiftsPast,
    ShiftsEmpty,
    ShiftsEmptyNeverSynced,
    TransferTitle,
    TransferHint,
    TransferSearching,
    TransferOffline,
    TransferNoMatch,
    OfficerLine,
    RankOfficer,
    RankCorporal,
    RankSergeant,
    RankLieutenant,
    RankCaptain,
    RankCommander,
    RankChief,
    ActivityEmpty,
    ActivityQueuedAt,
    ActivityAttempts,
    ActivityNextAttempt,
    ActivityNextSync,
    ActivityJobGone,
    ActivityRetry,
    ActivityDiscard,
    ConfirmDiscardTitle,
    ConfirmDiscard,
    ActivityRetried,
    ActivityDiscarded,
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
            Msg::SignInSecretsSoftware => (
                "sign_in.secrets_software",
                "Your session is kept in this device's {store}; your signing key is {keystore} on this device.",
            ),
            Msg::SignInDone => ("sign_in.done", "Signed in as {name}."),
            Msg::SignInOffline => (
                "sign_in.offline",
                "Cannot reach {server}. Check the address, or try again when you are online.",
            ),
            Msg::SignInLinkNotOurs => (
                "sign_in.link_not_ours",
                "This is not an offduty sign-in link.",
            ),
            Msg::SignInLinkNoServer => (
                "sign_in.link_no_server",
                "This sign-in link does not name your department's server.",
            ),
            Msg::VaultKeychain => ("sign_in.vault.keychain", "Keychain"),
            Msg::VaultAndroidKeystore => ("sign_in.vault.android_keystore", "Android Keystore"),
            Msg::VaultSystemKeyring => ("sign_in.vault.system_keyring", "system keyring"),
            Msg::VaultMemory => ("sign_in.vault.memory", "memory, until the app closes"),
            Msg::KeySecureEnclave => ("sign_in.key.secure_enclave", "Secure Enclave"),
            Msg::KeyStrongBox => ("sign_in.key.strongbox", "StrongBox"),
            Msg::KeyAndroidKeystore => ("sign_in.key.android_keystore", "Android Keystore"),
            Msg::KeySoftware => ("sign_in.key.software", "kept in a protected file"),
            Msg::JobMissing => (
                "job.missing",
                "This job is not on this phone. Pull to refresh.",
            ),
            Msg::AwardDecidedAt => (
                "job.award_decided_at",
                "Decided when signups closed, {when}.",
            ),
            Msg::AwardDecidesByCoordinator => (
                "job.award_decides_by_coordinator",
                "Decided when the detail coordinator closes signups.",
            ),
            Msg::ConfirmCancelReason => (
                "job.confirm.cancel_reason",
                "Reason for the coordinator (optional)",
            ),
            Msg::QueuedOffline => (
                "job.queued_offline",
                "Saved on this phone: it will be sent when you are back online.",
            ),
            Msg::QueuedWaiting => (
                "job.queued_waiting",
                "Saved on this phone: it will be sent with the next sync.",
            ),
            Msg::ShiftsUpcoming => ("shifts.upcoming", "Your shifts"),
            Msg::ShiftsInLine => ("shifts.in_line", "Waiting for a slot"),
            Msg::ShiftsPast => ("shifts.past", "Past shifts"),
            Msg::ShiftsEmpty => ("shifts.empty", "No shifts yet. Claim a job on the board."),
            Msg::ShiftsEmptyNeverSynced => (
                "shifts.empty_never_synced",
                "Your shifts appear after the first sync. Pull to refresh once you have a connection.",
            ),
            Msg::TransferTitle => ("transfer.title", "Give this shift to…"),
            Msg::TransferHint => (
                "transfer.hint",
                "Type at least {min} letters of a name or a badge number.",
            ),
            Msg::TransferSearching => ("transfer.searching", "Searching…"),
            Msg::TransferOffline => (
                "transfer.offline",
                "Searching for an officer needs a connection. You can still offer the shift on the board.",
            ),
            Msg::TransferNoMatch => ("transfer.no_match", "No officer matches “{query}”."),
            Msg::OfficerLine => ("transfer.officer_line", "{rank} {name} · #{badge}"),
            Msg::RankOfficer => ("rank.officer", "Officer"),
            Msg::RankCorporal => ("rank.corporal", "Corporal"),
            Msg::RankSergeant => ("rank.sergeant", "Sergeant"),
            Msg::RankLieutenant => ("rank.lieutenant", "Lieutenant"),
            Msg::RankCaptain => ("rank.captain", "Captain"),
            Msg::RankCommander => ("rank.commander", "Commander"),
            Msg::RankChief => ("rank.chief", "Chief"),
            Msg::ActivityEmpty => ("activity.empty", "Nothing waiting to be sent."),
            Msg::ActivityQueuedAt => ("activity.queued_at", "Saved {when}"),
            Msg::ActivityAttempts => ("activity.attempts", "Attempts so far: {count}"),
            Msg::ActivityNextAttempt => ("activity.next_attempt", "Next try {when}"),
            Msg::ActivityNextSync => ("activity.next_sync", "Goes with the next sync"),
            Msg::ActivityJobGone => ("activity.job_gone", "A job no longer on this phone"),
            Msg::ActivityRetry => ("activity.retry", "Try again"),
            Msg::ActivityDiscard => ("activity.discard", "Discard"),
            Msg::ConfirmDiscardTitle => ("activity.confirm_discard_title", "Discard this {what}?"),
            Msg::ConfirmDiscard => (
                "activity.confirm_discard",
                "Your {what} for “{job}” will not be sent: the server never saw it. You can act on the job again afterwards.",
            ),
            Msg::ActivityRetried => ("activity.retried", "Your {what} is back in the queue."),
            Msg::ActivityDiscarded => ("activity.discarded", "Your {what} was discarded."),
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
        Msg::SignInSecretsSoftware,
        Msg::SignInDone,
        Msg::SignInOffline,
        Msg::SignInLinkNotOurs,
        Msg::SignInLinkNoServer,
        Msg::VaultKeychain,
        Msg::VaultAndroidKeystore,
        Msg::VaultSystemKeyring,
        Msg::VaultMemory,
        Msg::KeySecureEnclave,
        Msg::KeyStrongBox,
        Msg::KeyAndroidKeystore,
        Msg::KeySoftware,
        Msg::JobMissing,
        Msg::AwardDecidedAt,
        Msg::AwardDecidesByCoordinator,
        Msg::ConfirmCancelReason,
        Msg::QueuedOffline,
        Msg::QueuedWaiting,
        Msg::ShiftsUpcoming,
        Msg::ShiftsInLine,
        Msg::ShiftsPast,
        Msg::ShiftsEmpty,
        Msg::ShiftsEmptyNeverSynced,
        Msg::TransferTitle,
        Msg::TransferHint,
        Msg::TransferSearching,
        Msg::TransferOffline,
        Msg::TransferNoMatch,
        Msg::OfficerLine,
        Msg::RankOfficer,
        Msg::RankCorporal,
        Msg::RankSergeant,
        Msg::RankLieutenant,
        Msg::RankCaptain,
        Msg::RankCommander,
        Msg::RankChief,
        Msg::ActivityEmpty,
        Msg::ActivityQueuedAt,
        Msg::ActivityAttempts,
        Msg::ActivityNextAttempt,
        Msg::ActivityNextSync,
        Msg::ActivityJobGone,
        Msg::ActivityRetry,
        Msg::ActivityDiscard,
        Msg::ConfirmDiscardTitle,
        Msg::ConfirmDiscard,
        Msg::ActivityRetried,
        Msg::ActivityDiscarded,
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
