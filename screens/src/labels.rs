//! The views' own words: section headers, button titles, form fields, accessibility labels —
//! every label a view shows that is not part of a screen's state. Both apps read this record
//! once (like [`crate::nav::chrome`]) so no English is written in Kotlin or Swift, and the two
//! apps cannot drift (Android said "Keep me signed in" where iOS said "Stay signed in").

use serde::{Deserialize, Serialize};

use crate::board::BoardSort;
use crate::text::Msg;

/// One way to order the board, as the sort menu offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortChoice {
    pub sort: BoardSort,
    pub label: String,
}

/// The labels of the views, by screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    /// The app's name (`offduty`), the sign-in form's title.
    pub app_name: String,
    /// Shown when the app cannot open its database or key at all.
    pub startup_failed: String,
    /// Accessibility label of a notice's close button.
    pub dismiss: String,
    /// Closes a panel (the colleague search).
    pub close: String,
    pub save: String,
    pub cancel: String,
    /// A panel that needs the network and has none.
    pub offline: String,
    /// Shown in the background while a sync runs (Android's foreground notification).
    pub syncing: String,
    /// The board's sort menu and its choices, in order.
    pub sort: String,
    pub sorts: Vec<SortChoice>,
    /// The job screen's title before its detail is known.
    pub job: String,
    /// The job screen's sections.
    pub job_pay: String,
    pub job_award: String,
    pub job_you: String,
    pub job_notes: String,
    /// The fence map's accessibility label, without and with the phone's fix.
    pub map_site: String,
    pub map_site_and_you: String,
    /// The marker of the phone's fix.
    pub map_you: String,
    /// Accessibility label of the clock's progress while it waits for a fix.
    pub clock_locating: String,
    /// Opens the app's page in the phone's settings (location denied).
    pub clock_open_settings: String,
    pub earnings_payments: String,
    pub earnings_share: String,
    /// Opens the history screen (past shifts by month, the PDF).
    pub earnings_history: String,
    /// The activity screen's sections.
    pub activity_wedged: String,
    pub activity_pending: String,
    /// The settings screen's sections and buttons.
    pub settings_quiet_hours: String,
    pub settings_notifications: String,
    pub settings_device: String,
    pub quiet_clear: String,
    pub quiet_edit: String,
    pub keep_signed_in: String,
    /// The sign-in form's fields and button.
    pub sign_in_server: String,
    pub sign_in_email: String,
    pub sign_in_password: String,
    pub sign_in_submit: String,
}

/// The sort choices in the menu's order.
pub fn sort_choices() -> Vec<SortChoice> {
    [
        (BoardSort::Soonest, Msg::LabelSortSoonest),
        (BoardSort::Nearest, Msg::LabelSortNearest),
        (BoardSort::BestPay, Msg::LabelSortBestPay),
    ]
    .into_iter()
    .map(|(sort, msg)| SortChoice {
        sort,
        label: msg.text(),
    })
    .collect()
}

/// The views' labels, in the app's language.
pub fn labels() -> Labels {
    Labels {
        app_name: Msg::LabelAppName.text(),
        startup_failed: Msg::LabelStartupFailed.text(),
        dismiss: Msg::LabelDismiss.text(),
        close: Msg::LabelClose.text(),
        save: Msg::LabelSave.text(),
        cancel: Msg::LabelCancel.text(),
        offline: Msg::LabelOffline.text(),
        syncing: Msg::Syncing.text(),
        sort: Msg::LabelSort.text(),
        sorts: sort_choices(),
        job: Msg::LabelJob.text(),
        job_pay: Msg::LabelJobPay.text(),
        job_award: Msg::LabelJobAward.text(),
        job_you: Msg::LabelJobYou.text(),
        job_notes: Msg::LabelJobNotes.text(),
        map_site: Msg::LabelMapSite.text(),
        map_site_and_you: Msg::LabelMapSiteAndYou.text(),
        map_you: Msg::LabelMapYou.text(),
        clock_locating: Msg::LabelClockLocating.text(),
        clock_open_settings: Msg::LabelClockOpenSettings.text(),
        earnings_payments: Msg::LabelEarningsPayments.text(),
        earnings_share: Msg::LabelEarningsShare.text(),
        earnings_history: Msg::LabelEarningsHistory.text(),
        activity_wedged: Msg::LabelActivityWedged.text(),
        activity_pending: Msg::LabelActivityPending.text(),
        settings_quiet_hours: Msg::LabelSettingsQuietHours.text(),
        settings_notifications: Msg::LabelSettingsNotifications.text(),
        settings_device: Msg::LabelSettingsDevice.text(),
        quiet_clear: Msg::LabelSettingsQuietClear.text(),
        quiet_edit: Msg::LabelSettingsQuietEdit.text(),
        keep_signed_in: Msg::LabelSettingsKeepSignedIn.text(),
        sign_in_server: Msg::LabelSignInServer.text(),
        sign_in_email: Msg::LabelSignInEmail.text(),
        sign_in_password: Msg::LabelSignInPassword.text(),
        sign_in_submit: Msg::LabelSignInSubmit.text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_is_written_and_the_sort_menu_offers_each_order_once() {
        let l = labels();
        let all = [
            &l.app_name,
            &l.startup_failed,
            &l.dismiss,
            &l.close,
            &l.save,
            &l.cancel,
            &l.offline,
            &l.syncing,
            &l.sort,
            &l.job,
            &l.job_pay,
            &l.job_award,
            &l.job_you,
            &l.job_notes,
            &l.map_site,
            &l.map_site_and_you,
            &l.map_you,
            &l.clock_locating,
            &l.clock_open_settings,
            &l.earnings_payments,
            &l.earnings_share,
            &l.earnings_history,
            &l.activity_wedged,
            &l.activity_pending,
            &l.settings_quiet_hours,
            &l.settings_notifications,
            &l.settings_device,
            &l.quiet_clear,
            &l.quiet_edit,
            &l.keep_signed_in,
            &l.sign_in_server,
            &l.sign_in_email,
            &l.sign_in_password,
            &l.sign_in_submit,
        ];
        for label in all {
            assert!(!label.trim().is_empty());
            assert!(!label.contains('{'), "unfilled placeholder in {label:?}");
        }
        let sorts: Vec<(BoardSort, &str)> =
            l.sorts.iter().map(|c| (c.sort, c.label.as_str())).collect();
        assert_eq!(
            sorts,
            [
                (BoardSort::Soonest, "Soonest"),
                (BoardSort::Nearest, "Nearest"),
                (BoardSort::BestPay, "Best pay"),
            ]
        );
        assert_eq!(l.keep_signed_in, "Stay signed in");
        assert_eq!(l.sign_in_submit, "Sign in");
    }
}
