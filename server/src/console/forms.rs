//! The event request form as the pages carry it: plain strings in, checked values out. Dates
//! and times are typed in the department's time zone and become UTC here; a shift whose end is
//! not after its start ends the next day (an overnight shift). Blank shift rows are ignored.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::services::event_requests::{EventForm, EventRequest, ShiftForm};

/// How many shift rows the form offers.
pub const SHIFT_ROWS: usize = 6;

/// One shift row as typed.
#[derive(Debug, Clone, Default)]
pub struct ShiftRow {
    pub date: String,
    pub start: String,
    pub end: String,
    pub officers: String,
}

impl ShiftRow {
    fn is_blank(&self) -> bool {
        self.date.trim().is_empty() && self.start.trim().is_empty() && self.end.trim().is_empty()
    }
}

/// The whole form as typed (so a refused form comes back as the customer left it).
#[derive(Debug, Clone, Default)]
pub struct EventValues {
    pub site_id: String,
    pub title: String,
    pub job_type: String,
    pub vehicle: bool,
    pub contact_name: String,
    pub contact_phone: String,
    pub instructions: String,
    pub rows: Vec<ShiftRow>,
}

/// A field the customer must fix, and what to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl EventValues {
    /// The values of a posted form.
    pub fn from_form(form: &HashMap<String, String>) -> Self {
        let f = |k: &str| form.get(k).cloned().unwrap_or_default();
        EventValues {
            site_id: f("site_id"),
            title: f("title"),
            job_type: f("job_type"),
            vehicle: form.contains_key("vehicle"),
            contact_name: f("contact_name"),
            contact_phone: f("contact_phone"),
            instructions: f("instructions"),
            rows: (0..SHIFT_ROWS)
                .map(|i| ShiftRow {
                    date: f(&format!("date{i}")),
                    start: f(&format!("start{i}")),
                    end: f(&format!("end{i}")),
                    officers: f(&format!("officers{i}")),
                })
                .collect(),
        }
    }

    /// A stored request shown again for editing.
    pub fn from_request(r: &EventRequest, tz: Tz) -> Self {
        let mut rows: Vec<ShiftRow> = r
            .shifts
            .iter()
            .map(|s| {
                let (a, b) = (s.starts_at.with_timezone(&tz), s.ends_at.with_timezone(&tz));
                ShiftRow {
                    date: a.format("%Y-%m-%d").to_string(),
                    start: a.format("%H:%M").to_string(),
                    end: b.format("%H:%M").to_string(),
                    officers: s.officers.to_string(),
                }
            })
            .collect();
        rows.resize(SHIFT_ROWS.max(rows.len()), ShiftRow::default());
        EventValues {
            site_id: r.site_id.to_string(),
            title: r.title.clone(),
            job_type: r.job_type.clone(),
            vehicle: r.vehicle,
            contact_name: r.contact_name.clone(),
            contact_phone: r.contact_phone.clone(),
            instructions: r.instructions.clone(),
            rows,
        }
    }

    /// An empty form with its rows.
    pub fn blank() -> Self {
        EventValues {
            rows: vec![ShiftRow::default(); SHIFT_ROWS],
            ..EventValues::default()
        }
    }

    /// The form the services check, or the first field the customer must fix. Rules about
    /// the request itself (lengths, counts, the past) are the service's and the domain's.
    pub fn to_form(&self, tz: Tz) -> Result<EventForm, FieldError> {
        let err = |field: String, message: &str| FieldError {
            field,
            message: message.to_string(),
        };
        let site_id = Uuid::parse_str(self.site_id.trim())
            .map_err(|_| err("site_id".into(), "Choose one of your sites."))?;
        let mut shifts = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            if row.is_blank() {
                continue;
            }
            let date = NaiveDate::parse_from_str(row.date.trim(), "%Y-%m-%d")
                .map_err(|_| err(format!("date{i}"), "Enter the date as YYYY-MM-DD."))?;
            let start = time(&row.start)
                .ok_or_else(|| err(format!("start{i}"), "Enter the start as HH:MM."))?;
            let end =
                time(&row.end).ok_or_else(|| err(format!("end{i}"), "Enter the end as HH:MM."))?;
            let officers: u32 = row.officers.trim().parse().map_err(|_| {
                err(
                    format!("officers{i}"),
                    "Enter how many officers, as a whole number.",
                )
            })?;
            let starts_at = local(tz, date, start).ok_or_else(|| {
                err(
                    format!("start{i}"),
                    "That time does not exist on that day (the clocks change); choose another.",
                )
            })?;
            let end_date = if end <= start {
                date.succ_opt().unwrap_or(date)
            } else {
                date
            };
            let ends_at = local(tz, end_date, end).ok_or_else(|| {
                err(
                    format!("end{i}"),
                    "That time does not exist on that day (the clocks change); choose another.",
                )
            })?;
            shifts.push(ShiftForm {
                starts_at,
                ends_at,
                officers,
            });
        }
        if shifts.is_empty() {
            return Err(err("date0".into(), "Add at least one shift."));
        }
        Ok(EventForm {
            site_id,
            title: self.title.clone(),
            job_type: self.job_type.clone(),
            vehicle: self.vehicle,
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            instructions: self.instructions.clone(),
            shifts,
        })
    }
}

fn time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

/// A local date and time in `tz` as UTC; the earlier of two when the clocks go back, none when
/// they skip it.
pub fn local(tz: Tz, date: NaiveDate, t: NaiveTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&date.and_time(t))
        .earliest()
        .map(|d| d.with_timezone(&Utc))
}

/// The name of the service's field in the form: `shifts[2].ends_at` is row 2's end.
pub fn form_field(service_field: &str) -> String {
    if let Some(rest) = service_field.strip_prefix("shifts[")
        && let Some((i, member)) = rest.split_once("].")
    {
        let name = match member {
            "starts_at" => "start",
            "ends_at" => "end",
            "officers" => "officers",
            _ => "date",
        };
        // The row in the form: blank rows are skipped, so the service's index counts only the
        // filled ones; the caller maps it back with `row_of`.
        return format!("{name}{i}");
    }
    service_field.to_string()
}

/// The form row of the `n`th filled shift row.
pub fn row_of(values: &EventValues, n: usize) -> usize {
    values
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_blank())
        .nth(n)
        .map(|(i, _)| i)
        .unwrap_or(0)
}

/// Maps a service's field name to the form's (rows counted among the filled ones).
pub fn field_in_form(values: &EventValues, service_field: &str) -> String {
    let f = form_field(service_field);
    for prefix in ["date", "start", "end", "officers"] {
        if let Some(n) = f.strip_prefix(prefix)
            && let Ok(n) = n.parse::<usize>()
            && service_field.starts_with("shifts[")
        {
            return format!("{prefix}{}", row_of(values, n));
        }
    }
    f
}

/// Shifts shown in the department's zone, one line each.
pub fn shift_line(starts: DateTime<Utc>, ends: DateTime<Utc>, officers: u32, tz: Tz) -> String {
    let who = if officers == 1 {
        "1 officer".to_string()
    } else {
        format!("{officers} officers")
    };
    format!("{}, {who}", crate::console::view::shift(starts, ends, tz))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(rows: &[(&str, &str, &str, &str)]) -> EventValues {
        let mut v = EventValues::blank();
        v.site_id = Uuid::nil().to_string();
        for (i, (d, s, e, o)) in rows.iter().enumerate() {
            v.rows[i] = ShiftRow {
                date: d.to_string(),
                start: s.to_string(),
                end: e.to_string(),
                officers: o.to_string(),
            };
        }
        v
    }

    #[test]
    fn local_times_become_utc_and_an_overnight_shift_ends_the_next_day() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let f = values(&[("2027-01-15", "22:00", "06:00", "2")])
            .to_form(tz)
            .unwrap();
        let s = &f.shifts[0];
        // 22:00 EST (UTC-5) is 03:00Z the next day; 06:00 EST the day after is 11:00Z.
        assert_eq!(s.starts_at.to_rfc3339(), "2027-01-16T03:00:00+00:00");
        assert_eq!(s.ends_at.to_rfc3339(), "2027-01-16T11:00:00+00:00");
        assert_eq!(s.officers, 2);
    }

    #[test]
    fn a_time_the_clocks_skip_is_refused_on_its_field_and_blank_rows_are_ignored() {
        let tz: Tz = "America/New_York".parse().unwrap();
        // 2027-03-14 02:30 does not exist in New York (clocks go 02:00 → 03:00).
        let e = values(&[("", "", "", ""), ("2027-03-14", "02:30", "05:00", "1")])
            .to_form(tz)
            .unwrap_err();
        assert_eq!(e.field, "start1");
        let e = values(&[]).to_form(tz).unwrap_err();
        assert_eq!(e.field, "date0");
        let e = values(&[("2027-01-15", "9am", "17:00", "1")])
            .to_form(tz)
            .unwrap_err();
        assert_eq!(e.field, "start0");
    }

    #[test]
    fn a_service_field_maps_to_the_row_the_customer_filled() {
        let v = values(&[
            ("", "", "", ""),
            ("2027-01-15", "08:00", "12:00", "1"),
            ("", "", "", ""),
            ("2027-01-16", "08:00", "12:00", "1"),
        ]);
        assert_eq!(field_in_form(&v, "shifts[1].ends_at"), "end3");
        assert_eq!(field_in_form(&v, "shifts[0].officers"), "officers1");
        assert_eq!(field_in_form(&v, "title"), "title");
    }
}
