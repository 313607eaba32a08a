//! The clock screen: one shift's clock-in and clock-out as a state machine. It asks the shell
//! for a location fix (or hears why there is none), shows the core's verdict on it before
//! anything is recorded (inside, outside by N m, accuracy too poor, mocked — the rules'
//! sentences, the fence and the fix for the map), asks for an explicit confirmation when the
//! punch would be rejected, then shows it queued and, after a sync, the server's verdict.
//!
//! Phases (for the punch in [`ClockState::punch`]): `WaitingForFix` → (`LocationUnavailable`)
//! → `Preview` → (`ConfirmRejected`) → `Queued` → `Decided`; then clock-out likewise.

mod punches;
mod records;

pub use records::{
    ClockMap, ClockPhase, ClockShift, ClockState, LocationProblem, PunchLine, VerdictReason,
};

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use offduty_core::CoreError;
use offduty_core::board::JobCard;
use offduty_core::clock::PunchPreview;
use offduty_core::error::Confirmation;
use offduty_domain::punch::{EARLY_CLOCK_IN_MINUTES, LocationFix};
use offduty_domain::timecard::PunchKind;

use crate::text::Msg;
use crate::{Live, Notice, Notifier, Screens, lock};

use punches::{Made, advice, kind_index, reason_code};

#[derive(Debug, Clone)]
enum Step {
    /// Nothing asked for: the next punch's default.
    Idle,
    Fix(PunchKind),
    Unavailable(PunchKind, LocationProblem),
    Preview(PunchKind, LocationFix, PunchPreview),
    ConfirmRejected(PunchKind, LocationFix, PunchPreview, String),
}

struct Ui {
    job: Option<Uuid>,
    step: Step,
    busy: bool,
    notice: Option<Notice>,
}

/// The clock screen.
pub struct ClockScreen {
    root: Arc<Screens>,
    ui: Mutex<Ui>,
    notifier: Notifier,
}

impl Live for ClockScreen {
    fn notifier(&self) -> &Notifier {
        &self.notifier
    }
}

impl ClockScreen {
    pub(crate) fn new(root: Arc<Screens>, job: Option<Uuid>) -> ClockScreen {
        ClockScreen {
            root,
            ui: Mutex::new(Ui {
                job,
                step: Step::Idle,
                busy: false,
                notice: None,
            }),
            notifier: Notifier::default(),
        }
    }

    /// Sets (or clears) the listener told when the state changes.
    pub fn set_listener(&self, listener: Option<Arc<dyn crate::Listener>>) {
        self.notifier.set(listener);
    }

    fn update(&self, f: impl FnOnce(&mut Ui)) {
        {
            let mut ui = lock(&self.ui);
            f(&mut ui);
        }
        self.notifier.notify();
    }

    /// The shift the screen is on: the one it was opened for, else (once, then kept) the
    /// officer's current shift — clocked in and not out, else the one whose clock-in window
    /// is open, else the next.
    fn job(&self) -> Option<Uuid> {
        if let Some(j) = lock(&self.ui).job {
            return Some(j);
        }
        let picked = self.pick();
        if let Some(j) = picked {
            lock(&self.ui).job = Some(j);
        }
        picked
    }

    fn pick(&self) -> Option<Uuid> {
        let core = self.root.core();
        let now = core.now();
        let held: Vec<JobCard> = core
            .my_jobs(false)
            .ok()?
            .into_iter()
            .filter(|c| c.standing.holds_slot())
            .collect();
        let started = |c: &&JobCard| {
            let m = punches::made(&self.root, c.job.id);
            m.clock_in.is_some() && m.clock_out.is_none()
        };
        let window_open = |c: &&JobCard| {
            c.job.starts_at - chrono::Duration::minutes(EARLY_CLOCK_IN_MINUTES) <= now
                && now <= c.job.ends_at
        };
        held.iter()
            .find(started)
            .or_else(|| held.iter().find(window_open))
            .or_else(|| held.first())
            .map(|c| c.job.id)
    }

    /// What to draw now.
    pub fn state(&self) -> ClockState {
        let sync = self.root.sync_status();
        let job = self.job();
        let ui_notice = lock(&self.ui).notice.clone();
        let mut s = ClockState {
            sync,
            phase: ClockPhase::NoShift,
            punch: PunchKind::In,
            title: Msg::ClockTitleIn.text(),
            shift: None,
            message: Msg::ClockNoShift.text(),
            advice: None,
            verdict: None,
            reasons: Vec::new(),
            distance_outside_m: None,
            map: None,
            needs_location: false,
            confirm_label: None,
            start_label: None,
            busy: false,
            clock_in: None,
            clock_out: None,
            finished: false,
            notice: ui_notice,
        };
        let Some(job) = job else { return s };
        let core = self.root.core();
        let card = match core.job(job, None) {
            Ok(c) => c,
            Err(e) => {
                s.notice = s.notice.or(Some(Notice::from_error(&e)));
                return s;
            }
        };
        let fmt = self.root.fmt();
        s.shift = Some(ClockShift {
            job_id: job.to_string(),
            title: card.job.title.clone(),
            site: card.job.site_name.clone(),
            when: fmt.range(card.job.starts_at, card.job.ends_at),
            starts_at: SystemTime::from(card.job.starts_at),
            ends_at: SystemTime::from(card.job.ends_at),
        });
        s.map = Some(ClockMap {
            fence: card.job.geofence.clone(),
            fix: None,
            accuracy_m: None,
        });
        let made = punches::made(&self.root, job);
        let (step, busy) = {
            let ui = lock(&self.ui);
            (ui.step.clone(), ui.busy)
        };
        s.busy = busy;
        let next = made.next();
        s.finished = next.is_none();
        // The step only counts while it is about the next punch.
        let step = match (&step, next) {
            (Step::Fix(k), Some(n))
            | (Step::Unavailable(k, _), Some(n))
            | (Step::Preview(k, ..), Some(n))
            | (Step::ConfirmRejected(k, ..), Some(n))
                if *k == n =>
            {
                step
            }
            _ => Step::Idle,
        };
        let title_of = |k: PunchKind| match k {
            PunchKind::In => Msg::ClockTitleIn.text(),
            PunchKind::Out => Msg::ClockTitleOut.text(),
        };
        match step {
            Step::Idle => {
                // The latest punch made, if any; else ask for a fix for the clock-in.
                let latest = [PunchKind::Out, PunchKind::In]
                    .into_iter()
                    .find(|k| made.line(*k).is_some());
                match latest {
                    None => self.waiting(&mut s, PunchKind::In),
                    Some(k) => self.punched(&mut s, &made, k),
                }
            }
            Step::Fix(k) => self.waiting(&mut s, k),
            Step::Unavailable(k, problem) => {
                s.phase = ClockPhase::LocationUnavailable;
                s.punch = k;
                let (msg, advice) = match problem {
                    LocationProblem::Denied => {
                        (Msg::ClockLocationDenied, Msg::ClockLocationDeniedAdvice)
                    }
                    LocationProblem::Disabled => {
                        (Msg::ClockLocationDisabled, Msg::ClockLocationDisabledAdvice)
                    }
                    LocationProblem::TimedOut => {
                        (Msg::ClockLocationTimedOut, Msg::ClockLocationTimedOutAdvice)
                    }
                };
                s.message = msg.text();
                s.advice = Some(advice.text());
            }
            Step::Preview(k, fix, preview) => {
                s.phase = ClockPhase::Preview;
                s.punch = k;
                self.preview(&mut s, &fix, &preview);
                s.advice = advice(k, &preview);
                s.confirm_label = Some(
                    match k {
                        PunchKind::In => Msg::ClockActionIn,
                        PunchKind::Out => Msg::ClockActionOut,
                    }
                    .text(),
                );
            }
            Step::ConfirmRejected(k, fix, preview, message) => {
                s.phase = ClockPhase::ConfirmRejected;
                s.punch = k;
                self.preview(&mut s, &fix, &preview);
                s.message = message;
                s.advice = advice(k, &preview);
                s.confirm_label = Some(Msg::ClockRecordAnyway.text());
            }
        }
        s.title = title_of(s.punch);
        if busy {
            s.confirm_label = None;
            s.start_label = None;
            s.message = Msg::ClockSigning.text();
        }
        s.clock_in = made.clock_in;
        s.clock_out = made.clock_out;
        s
    }

    fn waiting(&self, s: &mut ClockState, kind: PunchKind) {
        s.phase = ClockPhase::WaitingForFix;
        s.punch = kind;
        s.message = Msg::ClockWaitingForFix.text();
        s.needs_location = true;
    }

    fn preview(&self, s: &mut ClockState, fix: &LocationFix, p: &PunchPreview) {
        s.message = p.summary.clone();
        s.verdict = Some(p.verdict);
        s.reasons = p
            .reasons
            .iter()
            .map(|r| VerdictReason {
                code: reason_code(&r.reason),
                text: r.text.clone(),
            })
            .collect();
        s.distance_outside_m = Some(p.distance_outside_m);
        if let Some(m) = &mut s.map {
            m.fix = Some(fix.point());
            m.accuracy_m = Some(fix.accuracy_m);
        }
    }

    /// The phase of a punch already made: queued until the server's verdict is in.
    fn punched(&self, s: &mut ClockState, made: &Made, kind: PunchKind) {
        let Some(line) = made.line(kind) else { return };
        s.punch = kind;
        match line.server_verdict {
            Some(v) => {
                s.phase = ClockPhase::Decided;
                s.verdict = Some(v);
                s.message = line.verdict_text.clone().unwrap_or_default();
                s.reasons = made.records[kind_index(kind)]
                    .as_ref()
                    .map(|r| {
                        r.reasons
                            .iter()
                            .map(|reason| VerdictReason {
                                code: reason_code(reason),
                                text: reason.explain(),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
            }
            None => {
                s.phase = ClockPhase::Queued;
                s.verdict = line.local_verdict;
                let at = DateTime::<Utc>::from(line.at);
                let msg = match kind {
                    PunchKind::In => Msg::ClockQueuedIn,
                    PunchKind::Out => Msg::ClockQueuedOut,
                };
                s.message = msg.with(&[(
                    "time",
                    &self.root.fmt().relative(at, self.root.core().now()),
                )]);
            }
        }
        match made.next() {
            None if s.phase == ClockPhase::Decided => s.advice = Some(Msg::ClockFinished.text()),
            Some(PunchKind::Out) => s.start_label = Some(Msg::ClockActionOut.text()),
            _ => {}
        }
    }

    fn next_punch(&self) -> Option<(Uuid, PunchKind)> {
        let job = self.job()?;
        Some((job, punches::made(&self.root, job).next()?))
    }

    /// A location fix from the platform: the core's verdict on it, shown before anything is
    /// recorded.
    pub fn location_fix(&self, fix: LocationFix) {
        let Some((job, kind)) = self.next_punch() else {
            return self.notifier.notify();
        };
        let result = self.root.core().preview_punch(job, kind, &fix);
        self.update(|ui| match result {
            Ok(p) => {
                ui.step = Step::Preview(kind, fix, p);
                ui.notice = None;
            }
            Err(e) => {
                ui.step = Step::Fix(kind);
                ui.notice = Some(Notice::from_error(&e));
            }
        });
    }

    /// The platform has no fix, and why.
    pub fn location_unavailable(&self, problem: LocationProblem) {
        let Some((_, kind)) = self.next_punch() else {
            return self.notifier.notify();
        };
        self.update(|ui| ui.step = Step::Unavailable(kind, problem));
    }

    /// Starts (or restarts) the next punch: the shell is asked for a fresh fix. The "clock
    /// out" button after a clock-in, and "try again" after a preview or a missing fix.
    pub fn start(&self) {
        let Some((_, kind)) = self.next_punch() else {
            return self.notifier.notify();
        };
        self.update(|ui| {
            ui.step = Step::Fix(kind);
            ui.notice = None;
        });
    }

    /// Records the punch previewed (in `ConfirmRejected`: the officer read why it would be
    /// rejected and records it anyway, for a coordinator to review), then syncs. Signing
    /// runs the platform signer: the bindings run this off the caller's thread.
    pub async fn confirm(&self) {
        let (job, kind, fix, confirmed) = {
            let ui = lock(&self.ui);
            match (&ui.step, ui.job, ui.busy) {
                (_, _, true) | (_, None, _) => return,
                (Step::Preview(k, f, _), Some(j), _) => (j, *k, f.clone(), false),
                (Step::ConfirmRejected(k, f, ..), Some(j), _) => (j, *k, f.clone(), true),
                _ => return,
            }
        };
        self.update(|ui| ui.busy = true);
        let core = self.root.core();
        let result = match kind {
            PunchKind::In => core.clock_in(job, &fix, confirmed),
            PunchKind::Out => core.clock_out(job, &fix, confirmed),
        };
        let punched = result.is_ok();
        self.update(|ui| {
            ui.busy = false;
            match result {
                Ok(_) => {
                    ui.step = Step::Idle;
                    ui.notice = None;
                }
                Err(CoreError::NeedsConfirmation {
                    what: Confirmation::RejectedPunch,
                    message,
                }) => {
                    if let Step::Preview(k, f, p) = &ui.step {
                        ui.step = Step::ConfirmRejected(*k, f.clone(), p.clone(), message);
                    }
                }
                Err(e) => ui.notice = Some(Notice::from_error(&e)),
            }
        });
        if punched && let Err(e) = self.root.sync().await {
            self.update(|ui| ui.notice = Some(Notice::from_error(&e)));
        }
    }

    /// Pull to refresh: syncs (the server's verdict arrives this way).
    pub async fn refresh(&self) {
        if let Err(e) = self.root.sync().await {
            self.update(|ui| ui.notice = Some(Notice::from_error(&e)));
        }
    }

    /// Dismisses the notice.
    pub fn dismiss_notice(&self) {
        self.update(|ui| ui.notice = None);
    }
}
