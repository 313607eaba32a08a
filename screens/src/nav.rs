//! The app's frame, decided once for both phones: its sections (the iOS tab bar, Android's
//! bottom navigation) in order with their titles, which section a [`Route`] opens in, and the
//! few labels of the frame itself. Both apps used to name these on their own and had already
//! drifted (the activity screen sat under Settings on iOS, under My shifts on Android).

use serde::{Deserialize, Serialize};

use crate::links::Route;
use crate::text::Msg;

/// A main section of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tab {
    Jobs,
    MyShifts,
    Clock,
    Earnings,
    Settings,
}

impl Tab {
    /// The sections in the order the app shows them.
    pub const ALL: [Tab; 5] = [
        Tab::Jobs,
        Tab::MyShifts,
        Tab::Clock,
        Tab::Earnings,
        Tab::Settings,
    ];

    /// The section's title.
    pub fn title(self) -> String {
        match self {
            Tab::Jobs => Msg::TabJobs,
            Tab::MyShifts => Msg::TabMyShifts,
            Tab::Clock => Msg::TabClock,
            Tab::Earnings => Msg::TabEarnings,
            Tab::Settings => Msg::TabSettings,
        }
        .text()
    }

    /// The screen at the root of the section.
    pub fn root(self) -> Route {
        match self {
            Tab::Jobs => Route::Board,
            Tab::MyShifts => Route::MyShifts,
            Tab::Clock => Route::Clock { job: None },
            Tab::Earnings => Route::Earnings,
            Tab::Settings => Route::Settings,
        }
    }
}

impl Route {
    /// The section a route opens in: a job and the inbox under Jobs (the inbox is reached from
    /// the board), the activity (the officer's unsent actions) under My shifts, where those
    /// actions show on their shifts.
    pub fn tab(&self) -> Tab {
        match self {
            Route::Board | Route::Job { .. } | Route::Inbox => Tab::Jobs,
            Route::MyShifts | Route::Activity => Tab::MyShifts,
            Route::Clock { .. } => Tab::Clock,
            Route::Earnings => Tab::Earnings,
            Route::Settings => Tab::Settings,
        }
    }
}

/// One entry of the tab bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabItem {
    pub tab: Tab,
    pub title: String,
    /// The screen at its root.
    pub route: Route,
}

/// The frame's own words: the sections and the few buttons that lead between screens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chrome {
    /// In order.
    pub tabs: Vec<TabItem>,
    /// The button to the notifications (`Inbox`).
    pub inbox: String,
    /// The button to the unsent actions (`Unsent actions`).
    pub activity: String,
    /// The board's next page (`Show more jobs`).
    pub load_more: String,
    /// The earnings export (`Export as CSV`).
    pub export: String,
}

/// The frame, in the app's language.
pub fn chrome() -> Chrome {
    Chrome {
        tabs: Tab::ALL
            .iter()
            .map(|&tab| TabItem {
                tab,
                title: tab.title(),
                route: tab.root(),
            })
            .collect(),
        inbox: Msg::NavInbox.text(),
        activity: Msg::NavActivity.text(),
        load_more: Msg::NavLoadMore.text(),
        export: Msg::NavExport.text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_opens_in_one_section_and_each_section_opens_on_its_root() {
        for tab in Tab::ALL {
            assert_eq!(tab.root().tab(), tab);
        }
        let job = Route::Job { id: "x".into() };
        assert_eq!(job.tab(), Tab::Jobs);
        assert_eq!(Route::Inbox.tab(), Tab::Jobs);
        assert_eq!(Route::Activity.tab(), Tab::MyShifts);
        assert_eq!(
            Route::Clock {
                job: Some("x".into())
            }
            .tab(),
            Tab::Clock
        );
    }

    #[test]
    fn the_frame_names_five_sections_in_order() {
        let c = chrome();
        let titles: Vec<&str> = c.tabs.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Jobs", "My shifts", "Clock", "Earnings", "Settings"]
        );
        assert!(!c.inbox.is_empty() && !c.load_more.is_empty() && !c.export.is_empty());
    }
}
