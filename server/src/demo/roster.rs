//! Who works in the demo department (200 officers with ranks, certifications, groups and
//! permits) and which days are public holidays.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use offduty_domain::eligibility::Rank;

use super::data::{FIRST_NAMES, LAST_NAMES, PERSONAS, ZONES};
use super::rng::Rng;

/// How many officers the demo has.
pub const OFFICERS: u32 = 200;

const SEED_ROSTER: u64 = 0x0ffd_0001;

/// `officer001@columbus.demo` … `officer200@columbus.demo`.
pub fn officer_email(number: u32) -> String {
    format!("officer{number:03}@columbus.demo")
}

/// A demo officer to create.
#[derive(Debug, Clone)]
pub struct OfficerSpec {
    /// 1..=200: the number in the e-mail address, and the seniority (1 = most senior).
    pub number: u32,
    /// Sign-in e-mail.
    pub email: String,
    /// Name shown to coordinators and on rosters.
    pub display_name: String,
    /// Badge number.
    pub badge: String,
    /// Rank.
    pub rank: Rank,
    /// Certifications (`flagger`, `motor`, `bike`, `k9`, `crowd_control`).
    pub certifications: Vec<String>,
    /// Groups: one patrol zone, maybe the Traffic Bureau or the Special Events Unit.
    pub groups: Vec<String>,
    /// When the secondary-employment permit lapses (None: no permit on file).
    pub permit_expires_at: Option<DateTime<Utc>>,
}

/// The first instant of local `date` in `tz` (midnight, or the first valid time after it).
pub fn local_midnight(tz: Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
    (0..3).find_map(|h| local(tz, date, h, 0))
}

/// `h:m` on local `date` in `tz`, as UTC: the earlier instant on a fall-back night, None when
/// the time is skipped by a spring-forward change.
pub fn local(tz: Tz, date: NaiveDate, h: u32, m: u32) -> Option<DateTime<Utc>> {
    let naive = date.and_hms_opt(h, m, 0)?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// `date` moved by `days` (negative: back); unchanged if out of range.
pub fn shift_date(date: NaiveDate, days: i64) -> NaiveDate {
    let n = Days::new(days.unsigned_abs());
    let moved = if days >= 0 {
        date.checked_add_days(n)
    } else {
        date.checked_sub_days(n)
    };
    moved.unwrap_or(date)
}

/// A permit that lapses at the end of local day `today + days`.
fn permit(tz: Tz, today: NaiveDate, days: i64) -> Option<DateTime<Utc>> {
    local_midnight(tz, shift_date(today, days + 1))
}

/// The 200 officers, most senior first. officer001 … officer010 are the hand-made personas
/// (valid permits, common certifications); the rest are drawn from a fixed-seed generator:
/// ~5 lieutenants, ~15 sergeants and ~15 corporals skewed toward the senior end, 5 expired
/// permits, 3 missing, 2 lapsing within the next two weeks.
pub fn roster(now: DateTime<Utc>, tz: Tz) -> Vec<OfficerSpec> {
    let mut rng = Rng::new(SEED_ROSTER);
    let today = now.with_timezone(&tz).date_naive();
    let first_generated = u32::try_from(PERSONAS.len()).unwrap_or(0) + 1;

    let mut ranks = vec![Rank::Officer; OFFICERS as usize + 1];
    for (rank, count, most_junior) in [
        (Rank::Lieutenant, 4, 50),
        (Rank::Sergeant, 13, 100),
        (Rank::Corporal, 13, 150),
    ] {
        let mut placed = 0;
        while placed < count {
            let n =
                usize::try_from(rng.range(i64::from(first_generated), most_junior)).unwrap_or(0);
            if ranks.get(n) == Some(&Rank::Officer) {
                ranks[n] = rank;
                placed += 1;
            }
        }
    }

    let mut special: Vec<u32> = (first_generated..=OFFICERS).collect();
    rng.shuffle(&mut special);
    let expired: Vec<u32> = special.iter().copied().take(5).collect();
    let missing: Vec<u32> = special.iter().copied().skip(5).take(3).collect();
    let lapsing: Vec<u32> = special.iter().copied().skip(8).take(2).collect();

    let mut used: HashSet<String> = PERSONAS.iter().map(|p| p.name.to_string()).collect();
    let mut out = Vec::with_capacity(OFFICERS as usize);
    for number in 1..=OFFICERS {
        let badge = (1000 + i64::from(number) * 17 + rng.range(0, 16)).to_string();
        let persona = PERSONAS.get(number as usize - 1);
        let (display_name, rank, certifications, groups) = match persona {
            Some(p) => (
                p.name.to_string(),
                p.rank,
                p.certifications.iter().map(|c| c.to_string()).collect(),
                p.groups.iter().map(|g| g.to_string()).collect(),
            ),
            None => {
                let (certs, groups) = attributes(&mut rng);
                (
                    unique_name(&mut rng, &mut used),
                    ranks[number as usize],
                    certs,
                    groups,
                )
            }
        };
        let permit_expires_at = if persona.is_some() {
            permit(tz, today, 365 - rng.range(0, 30))
        } else if missing.contains(&number) {
            None
        } else if expired.contains(&number) {
            permit(tz, today, -rng.range(3, 90))
        } else if lapsing.contains(&number) {
            permit(tz, today, rng.range(4, 10))
        } else {
            permit(tz, today, rng.range(60, 365))
        };
        out.push(OfficerSpec {
            number,
            email: officer_email(number),
            display_name,
            badge,
            rank,
            certifications,
            groups,
            permit_expires_at,
        });
    }
    out
}

fn unique_name(rng: &mut Rng, used: &mut HashSet<String>) -> String {
    for _ in 0..1000 {
        let first = rng.pick(FIRST_NAMES).copied().unwrap_or("Alex");
        let last = rng.pick(LAST_NAMES).copied().unwrap_or("Smith");
        let name = format!("{first} {last}");
        if used.insert(name.clone()) {
            return name;
        }
    }
    format!("Officer {}", used.len())
}

/// Certifications and groups of a generated officer.
fn attributes(rng: &mut Rng) -> (Vec<String>, Vec<String>) {
    let zone = rng.pick(ZONES).copied().unwrap_or("Zone 1");
    let traffic = rng.chance(0.12);
    let events = rng.chance(0.12);
    let mut groups = vec![zone.to_string()];
    if traffic {
        groups.push("Traffic Bureau".to_string());
    }
    if events {
        groups.push("Special Events Unit".to_string());
    }
    let mut certs = Vec::new();
    for (cert, p) in [
        ("flagger", 0.35),
        ("motor", if traffic { 0.75 } else { 0.04 }),
        ("bike", 0.15),
        ("k9", 0.04),
        ("crowd_control", if events { 0.6 } else { 0.3 }),
    ] {
        if rng.chance(p) {
            certs.push(cert.to_string());
        }
    }
    (certs, groups)
}

/// US federal holidays (actual dates, not observed ones) falling in `[from, to]`, with names.
pub fn us_holidays(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, &'static str)> {
    let mut out = Vec::new();
    for year in from.year()..=to.year() {
        let nth = |month, weekday, n| NaiveDate::from_weekday_of_month_opt(year, month, weekday, n);
        let last_monday_of_may = NaiveDate::from_weekday_of_month_opt(year, 5, Weekday::Mon, 5)
            .or_else(|| nth(5, Weekday::Mon, 4));
        let days = [
            (NaiveDate::from_ymd_opt(year, 1, 1), "New Year's Day"),
            (nth(1, Weekday::Mon, 3), "Martin Luther King Jr. Day"),
            (nth(2, Weekday::Mon, 3), "Presidents' Day"),
            (last_monday_of_may, "Memorial Day"),
            (NaiveDate::from_ymd_opt(year, 6, 19), "Juneteenth"),
            (NaiveDate::from_ymd_opt(year, 7, 4), "Independence Day"),
            (nth(9, Weekday::Mon, 1), "Labor Day"),
            (nth(10, Weekday::Mon, 2), "Columbus Day"),
            (NaiveDate::from_ymd_opt(year, 11, 11), "Veterans Day"),
            (nth(11, Weekday::Thu, 4), "Thanksgiving Day"),
            (NaiveDate::from_ymd_opt(year, 12, 25), "Christmas Day"),
        ];
        out.extend(
            days.into_iter()
                .filter_map(|(d, name)| d.map(|d| (d, name)))
                .filter(|(d, _)| (from..=to).contains(d)),
        );
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;

    #[test]
    fn holidays_are_the_real_dates() {
        let from = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let to = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
        let days: Vec<String> = us_holidays(from, to)
            .iter()
            .map(|(d, n)| format!("{d} {n}"))
            .collect();
        assert_eq!(
            days,
            [
                "2026-11-11 Veterans Day",
                "2026-11-26 Thanksgiving Day",
                "2026-12-25 Christmas Day",
                "2027-01-01 New Year's Day",
                "2027-01-18 Martin Luther King Jr. Day",
            ]
        );
        let may = us_holidays(
            NaiveDate::from_ymd_opt(2027, 5, 1).unwrap(),
            NaiveDate::from_ymd_opt(2027, 5, 31).unwrap(),
        );
        assert_eq!(
            may,
            [(
                NaiveDate::from_ymd_opt(2027, 5, 31).unwrap(),
                "Memorial Day"
            )]
        );
    }

    #[test]
    fn the_roster_is_deterministic_and_shaped_as_promised() {
        let now = Utc::now();
        let a = roster(now, New_York);
        let b = roster(now, New_York);
        assert_eq!(a.len(), 200);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                (
                    &x.display_name,
                    &x.badge,
                    x.rank,
                    &x.certifications,
                    &x.groups
                ),
                (
                    &y.display_name,
                    &y.badge,
                    y.rank,
                    &y.certifications,
                    &y.groups
                )
            );
        }
        let count = |r: Rank| a.iter().filter(|o| o.rank == r).count();
        assert_eq!(count(Rank::Lieutenant), 5);
        assert_eq!(count(Rank::Sergeant), 15);
        assert_eq!(count(Rank::Corporal), 15);
        let names: HashSet<&String> = a.iter().map(|o| &o.display_name).collect();
        assert_eq!(names.len(), 200);
        assert_eq!(
            a.iter().filter(|o| o.permit_expires_at.is_none()).count(),
            3
        );
        let expired = a
            .iter()
            .filter(|o| o.permit_expires_at.is_some_and(|t| t < now))
            .count();
        assert_eq!(expired, 5);
        assert!(
            a[..10]
                .iter()
                .all(|o| o.permit_expires_at.is_some_and(|t| t > now))
        );
        assert_eq!(a[0].email, "officer001@columbus.demo");
        assert!(
            a.iter()
                .all(|o| o.groups.iter().any(|g| g.starts_with("Zone ")))
        );
        assert!(a.iter().any(|o| o.certifications.is_empty()));
    }
}
