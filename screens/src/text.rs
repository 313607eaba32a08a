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
    // Clock, earnings, settings, inbox.
    ClockTitleIn,
    ClockTitleOut,
    ClockNoShift,
    ClockWaitingForFix,
    ClockLocationDenied,
    ClockLocationDeniedAdvice,
    ClockLocationDisabled,
    ClockLocationDisabledAdvice,
    ClockLocationTimedOut,
    ClockLocationTimedOutAdvice,
    ClockAdviceReview,
    ClockAdviceMoveInside,
    ClockAdviceNoMock,
    ClockAdviceRetry,
    ClockActionIn,
    ClockActionOut,
    ClockRecordAnyway,
    ClockQueuedIn,
    ClockQueuedOut,
    ClockLineIn,
    ClockLineOut,
    ClockFinished,
    ClockSigning,
    ClockPunchIn,
    ClockPunchOut,
    EarningsStatusOpen,
    EarningsStatusPending,
    EarningsStatusNeedsReview,
    EarningsStatusApproved,
    EarningsStatusInvoiced,
    EarningsStatusPaid,
    EarningsStatusRejected,
    EarningsPeriodWeekly,
    EarningsPeriodBiweekly,
    EarningsPeriodSemimonthly,
    EarningsPeriodMonthly,
    EarningsEmpty,
    EarningsNeverSynced,
    EarningsMultiplier,
    EarningsPaidOn,
    EarningsShiftCount,
    EarningsOneShift,
    EarningsExported,
    SettingsMonday,
    SettingsTuesday,
    SettingsWednesday,
    SettingsThursday,
    SettingsFriday,
    SettingsSaturday,
    SettingsSunday,
    SettingsQuietOff,
    SettingsQuietWindow,
    SettingsQuietOvernight,
    SettingsChannelPush,
    SettingsChannelSms,
    SettingsChannelEmail,
    SettingsPrefsSynced,
    SettingsPrefsPending,
    SettingsPrefsRefused,
    SettingsPrefsRefusedAdvice,
    SettingsDiscard,
    SettingsSignedInAs,
    SettingsSignOut,
    SettingsSignOutAnyway,
    SettingsSignedOut,
    SettingsStorageRebuilt,
    SettingsStorageRescued,
    SettingsStorageExported,
    SettingsStorageUnreadable,
    SettingsSecrets,
    InboxAwardedTitle,
    InboxAwardedBody,
    InboxHowWaitlist,
    InboxHowTransfer,
    InboxHowAward,
    InboxWaitlistedTitle,
    InboxWaitlistedBody,
    InboxTakenOverTitle,
    InboxTakenOverBody,
    InboxCancelledTitle,
    InboxCancelledBody,
    InboxUnknownTitle,
    InboxUnknownBody,
    InboxEmpty,
    InboxEmptyNeverFetched,
    InboxMarkAllRead,
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
            Msg::ClockTitleIn => ("clock.title_in", "Clock in"),
            Msg::ClockTitleOut => ("clock.title_out", "Clock out"),
            Msg::ClockNoShift => (
                "clock.no_shift",
                "You have no shift to clock in to right now.",
            ),
            Msg::ClockWaitingForFix => ("clock.waiting_for_fix", "Finding your location…"),
            Msg::ClockLocationDenied => (
                "clock.location_denied",
                "offduty may not use this phone's location, so it cannot tell whether you are on site.",
            ),
            Msg::ClockLocationDeniedAdvice => (
                "clock.location_denied_advice",
                "Allow location for offduty in the phone's settings, then try again.",
            ),
            Msg::ClockLocationDisabled => (
                "clock.location_disabled",
                "Location is turned off on this phone.",
            ),
            Msg::ClockLocationDisabledAdvice => (
                "clock.location_disabled_advice",
                "Turn on location in the phone's settings, then try again.",
            ),
            Msg::ClockLocationTimedOut => ("clock.location_timed_out", "No location fix yet."),
            Msg::ClockLocationTimedOutAdvice => (
                "clock.location_timed_out_advice",
                "Step outside or near a window, away from tall buildings, and try again.",
            ),
            Msg::ClockAdviceReview => (
                "clock.advice_review",
                "You can {punch} now; a coordinator will review it.",
            ),
            Msg::ClockAdviceMoveInside => (
                "clock.advice_move_inside",
                "Move inside the site's fence and try again, or record it anyway for a coordinator to review.",
            ),
            Msg::ClockAdviceNoMock => (
                "clock.advice_no_mock",
                "Turn off any mock-location app or developer setting and try again.",
            ),
            Msg::ClockAdviceRetry => ("clock.advice_retry", "Try again with a fresh location fix."),
            Msg::ClockActionIn => ("clock.action_in", "Clock in"),
            Msg::ClockActionOut => ("clock.action_out", "Clock out"),
            Msg::ClockRecordAnyway => ("clock.record_anyway", "Record it anyway"),
            Msg::ClockQueuedIn => (
                "clock.queued_in",
                "Clock-in saved on this phone at {time}; it is sent when you are online.",
            ),
            Msg::ClockQueuedOut => (
                "clock.queued_out",
                "Clock-out saved on this phone at {time}; it is sent when you are online.",
            ),
            Msg::ClockLineIn => ("clock.line_in", "Clocked in {time}"),
            Msg::ClockLineOut => ("clock.line_out", "Clocked out {time}"),
            Msg::ClockFinished => ("clock.finished", "Shift done."),
            Msg::ClockSigning => ("clock.signing", "Signing and saving…"),
            Msg::ClockPunchIn => ("clock.punch_in", "clock in"),
            Msg::ClockPunchOut => ("clock.punch_out", "clock out"),
            Msg::EarningsStatusOpen => ("earnings.status.open", "In progress"),
            Msg::EarningsStatusPending => ("earnings.status.pending", "Waiting for approval"),
            Msg::EarningsStatusNeedsReview => ("earnings.status.needs_review", "Needs review"),
            Msg::EarningsStatusApproved => ("earnings.status.approved", "Approved"),
            Msg::EarningsStatusInvoiced => ("earnings.status.invoiced", "Invoiced"),
            Msg::EarningsStatusPaid => ("earnings.status.paid", "Paid"),
            Msg::EarningsStatusRejected => ("earnings.status.rejected", "Rejected: not paid"),
            Msg::EarningsPeriodWeekly => ("earnings.period.weekly", "Weekly pay periods"),
            Msg::EarningsPeriodBiweekly => ("earnings.period.biweekly", "Two-week pay periods"),
            Msg::EarningsPeriodSemimonthly => (
                "earnings.period.semimonthly",
                "Pay periods from the 1st to the 15th and the 16th to the month's end",
            ),
            Msg::EarningsPeriodMonthly => ("earnings.period.monthly", "Monthly pay periods"),
            Msg::EarningsEmpty => (
                "earnings.empty",
                "No shifts worked yet. Your pay shows here once you clock out of a shift.",
            ),
            Msg::EarningsNeverSynced => (
                "earnings.never_synced",
                "Your earnings appear after the first sync.",
            ),
            Msg::EarningsMultiplier => ("earnings.multiplier", "{rate} × {factor}"),
            Msg::EarningsPaidOn => ("earnings.paid_on", "Paid {date}"),
            Msg::EarningsShiftCount => ("earnings.shift_count", "{count} shifts"),
            Msg::EarningsOneShift => ("earnings.one_shift", "1 shift"),
            Msg::EarningsExported => (
                "earnings.exported",
                "Earnings ready to share: {count} shifts.",
            ),
            Msg::SettingsMonday => ("settings.day.mon", "Monday"),
            Msg::SettingsTuesday => ("settings.day.tue", "Tuesday"),
            Msg::SettingsWednesday => ("settings.day.wed", "Wednesday"),
            Msg::SettingsThursday => ("settings.day.thu", "Thursday"),
            Msg::SettingsFriday => ("settings.day.fri", "Friday"),
            Msg::SettingsSaturday => ("settings.day.sat", "Saturday"),
            Msg::SettingsSunday => ("settings.day.sun", "Sunday"),
            Msg::SettingsQuietOff => ("settings.quiet_off", "Notifications all day"),
            Msg::SettingsQuietWindow => ("settings.quiet_window", "Quiet {start}–{end}"),
            Msg::SettingsQuietOvernight => (
                "settings.quiet_overnight",
                "Quiet {start}–{end} (overnight)",
            ),
            Msg::SettingsChannelPush => ("settings.channel.push", "Push notifications"),
            Msg::SettingsChannelSms => ("settings.channel.sms", "Text messages (SMS)"),
            Msg::SettingsChannelEmail => ("settings.channel.email", "E-mail"),
            Msg::SettingsPrefsSynced => ("settings.prefs_synced", "Saved"),
            Msg::SettingsPrefsPending => (
                "settings.prefs_pending",
                "Saved on this phone; sent at the next sync.",
            ),
            Msg::SettingsPrefsRefused => (
                "settings.prefs_refused",
                "The server refused your change: {reason}",
            ),
            Msg::SettingsPrefsRefusedAdvice => (
                "settings.prefs_refused_advice",
                "Edit it again, or discard it to go back to what the server has.",
            ),
            Msg::SettingsDiscard => ("settings.discard", "Discard my change"),
            Msg::SettingsSignedInAs => ("settings.signed_in_as", "Signed in as {name} ({email})"),
            Msg::SettingsSignOut => ("settings.sign_out", "Sign out"),
            Msg::SettingsSignOutAnyway => ("settings.sign_out_anyway", "Sign out anyway"),
            Msg::SettingsSignedOut => ("settings.signed_out", "Signed out."),
            Msg::SettingsStorageRebuilt => (
                "settings.storage_rebuilt",
                "This phone's copy of your data was damaged and has been rebuilt from the server.",
            ),
            Msg::SettingsStorageRescued => (
                "settings.storage_rescued",
                "{count} unsent actions were carried over and will be sent.",
            ),
            Msg::SettingsStorageExported => (
                "settings.storage_exported",
                "A copy of them was saved to {path}.",
            ),
            Msg::SettingsStorageUnreadable => (
                "settings.storage_unreadable",
                "Unsent actions could not be read from the damaged copy: {why}",
            ),
            Msg::SettingsSecrets => (
                "settings.secrets",
                "Your session is kept in {store}; your clock-in signing key never leaves {keystore}.",
            ),
            Msg::InboxAwardedTitle => ("inbox.awarded.title", "New shift"),
            Msg::InboxAwardedBody => ("inbox.awarded.body", "{title} is yours."),
            Msg::InboxHowWaitlist => (
                "inbox.awarded.how_waitlist",
                "A slot opened and you were next on the waitlist.",
            ),
            Msg::InboxHowTransfer => (
                "inbox.awarded.how_transfer",
                "An officer handed the shift to you.",
            ),
            Msg::InboxHowAward => ("inbox.awarded.how_award", "Awarded when signups closed."),
            Msg::InboxWaitlistedTitle => ("inbox.waitlisted.title", "On the waitlist"),
            Msg::InboxWaitlistedBody => (
                "inbox.waitlisted.body",
                "Signups closed on {title}: you are #{position} on the waitlist.",
            ),
            Msg::InboxTakenOverTitle => ("inbox.taken_over.title", "Shift taken over"),
            Msg::InboxTakenOverBody => (
                "inbox.taken_over.body",
                "Another officer took the shift you offered: {title}. It is no longer yours.",
            ),
            Msg::InboxCancelledTitle => ("inbox.cancelled.title", "Job called off"),
            Msg::InboxCancelledBody => (
                "inbox.cancelled.body",
                "{title} was called off by the department.",
            ),
            Msg::InboxUnknownTitle => ("inbox.unknown.title", "Notice"),
            Msg::InboxUnknownBody => ("inbox.unknown.body", "Update the app to read this notice."),
            Msg::InboxEmpty => ("inbox.empty", "No notifications yet."),
            Msg::InboxEmptyNeverFetched => (
                "inbox.empty_never_fetched",
                "Your notifications appear once you have a connection.",
            ),
            Msg::InboxMarkAllRead => ("inbox.mark_all_read", "Mark all read"),
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
        Msg::ClockTitleIn,
        Msg::ClockTitleOut,
        Msg::ClockNoShift,
        Msg::ClockWaitingForFix,
        Msg::ClockLocationDenied,
        Msg::ClockLocationDeniedAdvice,
        Msg::ClockLocationDisabled,
        Msg::ClockLocationDisabledAdvice,
        Msg::ClockLocationTimedOut,
        Msg::ClockLocationTimedOutAdvice,
        Msg::ClockAdviceReview,
        Msg::ClockAdviceMoveInside,
        Msg::ClockAdviceNoMock,
        Msg::ClockAdviceRetry,
        Msg::ClockActionIn,
        Msg::ClockActionOut,
        Msg::ClockRecordAnyway,
        Msg::ClockQueuedIn,
        Msg::ClockQueuedOut,
        Msg::ClockLineIn,
        Msg::ClockLineOut,
        Msg::ClockFinished,
        Msg::ClockSigning,
        Msg::ClockPunchIn,
        Msg::ClockPunchOut,
        Msg::EarningsStatusOpen,
        Msg::EarningsStatusPending,
        Msg::EarningsStatusNeedsReview,
        Msg::EarningsStatusApproved,
        Msg::EarningsStatusInvoiced,
        Msg::EarningsStatusPaid,
        Msg::EarningsStatusRejected,
        Msg::EarningsPeriodWeekly,
        Msg::EarningsPeriodBiweekly,
        Msg::EarningsPeriodSemimonthly,
        Msg::EarningsPeriodMonthly,
        Msg::EarningsEmpty,
        Msg::EarningsNeverSynced,
        Msg::EarningsMultiplier,
        Msg::EarningsPaidOn,
        Msg::EarningsShiftCount,
        Msg::EarningsOneShift,
        Msg::EarningsExported,
        Msg::SettingsMonday,
        Msg::SettingsTuesday,
        Msg::SettingsWednesday,
        Msg::SettingsThursday,
        Msg::SettingsFriday,
        Msg::SettingsSaturday,
        Msg::SettingsSunday,
        Msg::SettingsQuietOff,
        Msg::SettingsQuietWindow,
        Msg::SettingsQuietOvernight,
        Msg::SettingsChannelPush,
        Msg::SettingsChannelSms,
        Msg::SettingsChannelEmail,
        Msg::SettingsPrefsSynced,
        Msg::SettingsPrefsPending,
        Msg::SettingsPrefsRefused,
        Msg::SettingsPrefsRefusedAdvice,
        Msg::SettingsDiscard,
        Msg::SettingsSignedInAs,
        Msg::SettingsSignOut,
        Msg::SettingsSignOutAnyway,
        Msg::SettingsSignedOut,
        Msg::SettingsStorageRebuilt,
        Msg::SettingsStorageRescued,
        Msg::SettingsStorageExported,
        Msg::SettingsStorageUnreadable,
        Msg::SettingsSecrets,
        Msg::InboxAwardedTitle,
        Msg::InboxAwardedBody,
        Msg::InboxHowWaitlist,
        Msg::InboxHowTransfer,
        Msg::InboxHowAward,
        Msg::InboxWaitlistedTitle,
        Msg::InboxWaitlistedBody,
        Msg::InboxTakenOverTitle,
        Msg::InboxTakenOverBody,
        Msg::InboxCancelledTitle,
        Msg::InboxCancelledBody,
        Msg::InboxUnknownTitle,
        Msg::InboxUnknownBody,
        Msg::InboxEmpty,
        Msg::InboxEmptyNeverFetched,
        Msg::InboxMarkAllRead,
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
