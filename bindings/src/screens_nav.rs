//! The app's frame (`offduty_screens::nav`) for Kotlin and Swift: the sections in order with
//! their titles, which section a route opens in, and the frame's own labels — decided once in
//! Rust so the two apps cannot lay their screens out differently.

pub use offduty_screens::nav::{Chrome, Tab, TabItem};

use offduty_screens::Route;

/// A main section of the app (tab bar, bottom navigation).
#[uniffi::remote(Enum)]
pub enum Tab {
    Jobs,
    MyShifts,
    Clock,
    Earnings,
    Settings,
}

/// One entry of the tab bar.
#[uniffi::remote(Record)]
pub struct TabItem {
    pub tab: Tab,
    pub title: String,
    /// The screen at its root.
    pub route: Route,
}

/// The frame's own words.
#[uniffi::remote(Record)]
pub struct Chrome {
    /// In order.
    pub tabs: Vec<TabItem>,
    pub inbox: String,
    pub activity: String,
    pub load_more: String,
    pub export: String,
}

/// The frame: the sections in order with their titles, and its buttons' labels.
#[uniffi::export]
pub fn chrome() -> Chrome {
    offduty_screens::nav::chrome()
}

/// The section `route` opens in.
#[uniffi::export]
pub fn tab_for_route(route: Route) -> Tab {
    route.tab()
}
