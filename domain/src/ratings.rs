//! Ratings after a shift (issue 12, decision 046): the customer rates each officer who worked
//! its event (1–5 stars, tags from a fixed list, an optional comment), officers rate the site
//! privately for their department, and an officer's reliability is computed from the record
//! (shifts worked, on-time rate, no-shows, late cancellations, average rating) — never typed in.
//!
//! Pure: the server stores and reads; the phone validates the same way before sending.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::{Invalid, InvalidCode};

/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;
/// A rating may be changed for this many days after it was first given, then it is locked.
pub const EDIT_WINDOW_DAYS: i64 = 14;
/// How far back reliability is computed by default, in days.
pub const RELIABILITY_WINDOW_DAYS: i64 = 180;

/// What a customer may say about an officer, besides the stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OfficerTag {
    OnTime,
    Professional,
    WellPresented,
    Communicative,
    WentBeyond,
}

impl OfficerTag {
    /// Every tag, in the order forms show them.
    pub const ALL: [OfficerTag; 5] = [
        OfficerTag::OnTime,
        OfficerTag::Professional,
        OfficerTag::WellPresented,
        OfficerTag::Communicative,
        OfficerTag::WentBeyond,
    ];

    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            OfficerTag::OnTime => "on_time",
            OfficerTag::Professional => "professional",
            OfficerTag::WellPresented => "well_presented",
            OfficerTag::Communicative => "communicative",
            OfficerTag::WentBeyond => "went_beyond",
        }
    }

    /// The words an officer (or the customer) reads.
    pub fn label(self) -> &'static str {
        match self {
            OfficerTag::OnTime => "On time",
            OfficerTag::Professional => "Professional",
            OfficerTag::WellPresented => "Well presented",
            OfficerTag::Communicative => "Communicative",
            OfficerTag::WentBeyond => "Went beyond",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<OfficerTag> {
        OfficerTag::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// What an officer may say about a site, besides the stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SiteTag {
    Parking,
    Safe,
    Facilities,
    ContactHelpful,
    ClearInstructions,
}

impl SiteTag {
    /// Every tag, in the order forms show them.
    pub const ALL: [SiteTag; 5] = [
        SiteTag::Parking,
        SiteTag::Safe,
        SiteTag::Facilities,
        SiteTag::ContactHelpful,
        SiteTag::ClearInstructions,
    ];

    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            SiteTag::Parking => "parking",
            SiteTag::Safe => "safe",
            SiteTag::Facilities => "facilities",
            SiteTag::ContactHelpful => "contact_helpful",
            SiteTag::ClearInstructions => "clear_instructions",
        }
    }

    /// The words a coordinator reads.
    pub fn label(self) -> &'static str {
        match self {
            SiteTag::Parking => "Parking available",
            SiteTag::Safe => "Felt safe",
            SiteTag::Facilities => "Facilities (restroom, shelter)",
            SiteTag::ContactHelpful => "On-site contact helpful",
            SiteTag::ClearInstructions => "Clear instructions",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<SiteTag> {
        SiteTag::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A customer's rating of an officer, as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficerRatingForm {
    /// 1 (poor) to 5 (excellent).
    pub stars: u8,
    /// Tags from the fixed list; each at most once.
    #[serde(default)]
    pub tags: Vec<OfficerTag>,
    /// At most 500 characters; blank means none.
    #[serde(default)]
    pub comment: Option<String>,
}

/// An officer's private rating of a site, as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteRatingForm {
    /// 1 (poor) to 5 (excellent).
    pub stars: u8,
    /// Tags from the fixed list; each at most once.
    #[serde(default)]
    pub tags: Vec<SiteTag>,
    /// At most 500 characters; blank means none.
    #[serde(default)]
    pub comment: Option<String>,
}

impl OfficerRatingForm {
    /// See [`check`]; returns the form with the tags sorted and the comment trimmed.
    pub fn validate(&self) -> Result<OfficerRatingForm, Invalid> {
        let (tags, comment) = check(self.stars, &self.tags, self.comment.as_deref())?;
        Ok(OfficerRatingForm {
            stars: self.stars,
            tags,
            comment,
        })
    }
}

impl SiteRatingForm {
    /// See [`check`]; returns the form with the tags sorted and the comment trimmed.
    pub fn validate(&self) -> Result<SiteRatingForm, Invalid> {
        let (tags, comment) = check(self.stars, &self.tags, self.comment.as_deref())?;
        Ok(SiteRatingForm {
            stars: self.stars,
            tags,
            comment,
        })
    }
}

/// Checks the stars (1..=5), the tags (no repeats) and the comment (at most
/// [`MAX_COMMENT_CHARS`] characters, no control characters but line breaks and tabs); returns
/// the tags sorted and the comment trimmed (`None` when blank).
fn check<T: Copy + Ord>(
    stars: u8,
    tags: &[T],
    comment: Option<&str>,
) -> Result<(Vec<T>, Option<String>), Invalid> {
    if !(1..=5).contains(&stars) {
        return Err(Invalid::new(
            "stars",
            InvalidCode::OutOfRange,
            format!("must be between 1 and 5 (got {stars})"),
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, t) in tags.iter().enumerate() {
        if !seen.insert(*t) {
            return Err(Invalid::new(
                format!("tags[{i}]"),
                InvalidCode::Duplicate,
                "each tag may be given once",
            ));
        }
    }
    let comment = match comment.map(str::trim) {
        None | Some("") => None,
        Some(c) => {
            let n = c.chars().count();
            if n > MAX_COMMENT_CHARS {
                return Err(Invalid::new(
                    "comment",
                    InvalidCode::TooLong,
                    format!("must be at most {MAX_COMMENT_CHARS} characters (got {n})"),
                ));
            }
            if c.chars()
                .any(|ch| ch.is_control() && !matches!(ch, '\n' | '\r' | '\t'))
            {
                return Err(Invalid::new(
                    "comment",
                    InvalidCode::BadFormat,
                    "must not contain control characters",
                ));
            }
            Some(c.to_string())
        }
    };
    Ok((seen.into_iter().collect(), comment))
}

/// Whether a rating first given at `first_rated_at` may still be changed at `now`.
pub fn editable(first_rated_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now < first_rated_at + Duration::days(EDIT_WINDOW_DAYS)
}

/// One awarded slot of an officer's record, as the reliability figures need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRecord {
    pub starts_at: DateTime<Utc>,
    /// The clock-in, if any.
    pub clock_in: Option<DateTime<Utc>>,
    /// Clocked out (the shift was worked).
    pub clocked_out: bool,
    /// The shift watcher raised a no-show for this slot.
    pub no_show_alert: bool,
}

/// An officer's record over a window, as read from the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// Slots the officer held that started in the window and are over (or should have been
    /// clocked into by now).
    pub slots: Vec<SlotRecord>,
    /// Cancellations the officer made inside the department's late window (any window but the
    /// free one; see [`crate::policy::CancelPolicy::window`]).
    pub late_cancellations: u32,
    /// Customers' stars for shifts in the window.
    pub stars: Vec<u8>,
}

/// An officer's reliability, computed from the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reliability {
    /// Shifts worked (clocked in and out).
    pub shifts_worked: u32,
    /// Shifts clocked into at or before the start plus the department's late tolerance.
    pub on_time: u32,
    /// On-time shifts per thousand clocked-into shifts; `None` with no clock-in yet.
    pub on_time_permille: Option<u32>,
    /// Slots never clocked into (or raised as a no-show by the shift watcher).
    pub no_shows: u32,
    /// Cancellations inside the department's late window.
    pub late_cancellations: u32,
    /// Average customer stars in hundredths (e.g. 467 = 4.67); `None` with no rating.
    pub average_stars_x100: Option<u32>,
    /// How many customer ratings the average is of.
    pub ratings: u32,
}

/// Computes an officer's reliability from their record. A slot counts as a no-show when the
/// shift watcher raised one (even if the officer arrived later) or when there is no clock-in
/// and the start plus `no_show_grace` has passed by `now`; a clock-in is on time at or before
/// the start plus `late_tolerance` (the thresholds of [`crate::alerts::AlertRules`]).
pub fn reliability(
    record: &Record,
    late_tolerance: Duration,
    no_show_grace: Duration,
    now: DateTime<Utc>,
) -> Reliability {
    let mut worked = 0u32;
    let mut clocked = 0u32;
    let mut on_time = 0u32;
    let mut no_shows = 0u32;
    for s in &record.slots {
        if let Some(t) = s.clock_in {
            clocked += 1;
            if t <= s.starts_at + late_tolerance {
                on_time += 1;
            }
            if s.clocked_out {
                worked += 1;
            }
        }
        if s.no_show_alert || (s.clock_in.is_none() && now > s.starts_at + no_show_grace) {
            no_shows += 1;
        }
    }
    let ratings = u32::try_from(record.stars.len()).unwrap_or(u32::MAX);
    let average_stars_x100 = (!record.stars.is_empty()).then(|| {
        let sum: u64 = record.stars.iter().map(|s| u64::from(*s)).sum();
        let n = record.stars.len() as u64;
        // Rounded half up, in hundredths.
        u32::try_from((sum * 100 * 2 + n) / (2 * n)).unwrap_or(u32::MAX)
    });
    Reliability {
        shifts_worked: worked,
        on_time,
        on_time_permille: (clocked > 0)
            .then(|| u32::try_from(u64::from(on_time) * 1000 / u64::from(clocked)).unwrap_or(0)),
        no_shows,
        late_cancellations: record.late_cancellations,
        average_stars_x100,
        ratings,
    }
}

impl Reliability {
    /// The figures of an officer with no record.
    pub fn empty() -> Reliability {
        Reliability {
            shifts_worked: 0,
            on_time: 0,
            on_time_permille: None,
            no_shows: 0,
            late_cancellations: 0,
            average_stars_x100: None,
            ratings: 0,
        }
    }

    /// The key a department that opted in uses to break a tie of its award rule (decision
    /// 046); lower is better: fewer no-shows and late cancellations together, then a higher
    /// on-time rate (no clock-in yet counts as neither good nor bad: 500‰). Customer stars are
    /// deliberately not part of it.
    pub fn tie_break_key(&self) -> u64 {
        let misses = u64::from(self.no_shows) + u64::from(self.late_cancellations);
        let late = 1000 - u64::from(self.on_time_permille.unwrap_or(500).min(1000));
        (misses << 16) | late
    }

    /// "92% on time" / "no clock-in yet".
    pub fn on_time_text(&self) -> String {
        match self.on_time_permille {
            Some(p) => format!("{}% on time", (p + 5) / 10),
            None => "no clock-in yet".to_string(),
        }
    }

    /// "4.67 ★ (12)" / "not rated".
    pub fn stars_text(&self) -> String {
        match self.average_stars_x100 {
            Some(a) => format!("{}.{:02} ★ ({})", a / 100, a % 100, self.ratings),
            None => "not rated".to_string(),
        }
    }
}

#[cfg(test)]
mod tests;
