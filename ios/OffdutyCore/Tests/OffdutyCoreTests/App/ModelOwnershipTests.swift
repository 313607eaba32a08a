// The screen models the SwiftUI views draw are made once: a view's `body` and a stack's
// destinations are built again on every redraw, and each call of AppModel's `board`, `job(_:)`,
// `clock()`, `signIn()`, … returns the model (and so the Rust screen and its listener) made the
// first time, until its screen goes away. And the views' words and the quiet-hours editor, read
// through the real library.

import Foundation
import XCTest

import OffdutyApp
import OffdutyCore

final class ModelOwnershipTests: ScreensTestCase {
    func testEachScreensModelIsMadeOnceAndKeptAcrossRedrawsUntilItsScreenGoes() async throws {
        let phone = try await phone("officer176@columbus.demo")
        let job = try await holdShiftNow(phone.app)
        let providers = Locked(0)
        let app = AppModel(
            app: phone.app, platform: DevicePlatform(keyStorage: .secureEnclave, deviceLabel: "t"),
            delivery: .immediate, location: { providers.mutate { $0 += 1 }; return FakeLocation(.whenInUse) }
        )

        // The tabs' models, and the sign-in form until someone signs in.
        XCTAssertTrue(app.board === app.board)
        XCTAssertTrue(app.settings === app.settings)
        XCTAssertTrue(app.signIn() === app.signIn(), "the form is kept while it is shown")

        // A job pushed on the Jobs stack (as NavigationLink(value:) does): every redraw of the
        // stack builds JobView again and asks for its model: the same one each time.
        var nav = app.navigation
        nav.paths[.jobs] = [.job(id: job)]
        app.navigation = nav
        let first = app.job(job)
        XCTAssertTrue(first === app.job(job))
        XCTAssertNotNil(first.state.detail)
        // Another tab shown, a route to the same job: still the same model.
        nav = app.navigation
        nav.tab = .earnings
        app.navigation = nav
        XCTAssertTrue(first === app.job(job))
        await app.show(.job(id: job))
        XCTAssertTrue(first === app.job(job), "the route pushed the job that was already shown")

        // Popped: AppModel lets it go; pushed again, the job gets a new one.
        nav = app.navigation
        nav.paths[.jobs] = []
        app.navigation = nav
        XCTAssertFalse(first === app.job(job))

        // Once its view lets go too, a popped screen's model (and its Rust screen) is freed.
        weak var popped: InboxModel?
        do {
            nav = app.navigation
            nav.paths[.jobs] = [.inbox]
            app.navigation = nav
            let inbox = app.inbox()
            XCTAssertTrue(inbox === app.inbox())
            popped = inbox
            nav.paths[.jobs] = []
            app.navigation = nav
        }
        XCTAssertNil(popped)

        // The clock: the same model until a route names another job.
        let clock = app.clock()
        XCTAssertTrue(clock === app.clock())
        await app.show(.clock(job: job))
        let onJob = app.clock()
        XCTAssertFalse(onJob === clock)
        XCTAssertTrue(onJob === app.clock())
        XCTAssertEqual(onJob.state.shift?.jobId, job)

        // One location step (one CoreLocation manager) for the app, however often the clock
        // view is built.
        XCTAssertTrue(app.clockLocation === app.clockLocation)
        XCTAssertEqual(providers.value, 1)
    }

    func testTheViewsLabelsAndTheQuietHoursEditorComeFromTheCore() async throws {
        // Every label a view shows is written in Rust: each sort offered once, none empty.
        XCTAssertEqual(appLabels.sorts.map(\.sort), [.soonest, .nearest, .bestPay])
        XCTAssertEqual(Set(appLabels.sorts.map(\.label)).count, 3)
        for label in [appLabels.appName, appLabels.keepSignedIn, appLabels.signInSubmit, appLabels.mapSite,
                      appLabels.settingsQuietHours, appLabels.quietClear, appLabels.dismiss] {
            XCTAssertFalse(label.isEmpty)
        }

        let phone = try await phone("officer177@columbus.demo")
        let app = AppModel(app: phone.app, platform: DevicePlatform(keyStorage: .secureEnclave, deviceLabel: "t"),
                           delivery: .immediate)
        let settings = app.settings
        settings.screen.clearQuietDay(day: .thu)
        settings.screen.editQuietDay(day: .thu)
        var editor = try XCTUnwrap(settings.state.quietEditor)
        XCTAssertEqual(editor.day, .thu)
        XCTAssertTrue(editor.canSave)

        // What a DatePicker sends: its date, as the hour and minute the core takes.
        let picked = ClockTime.picked(ClockTime(hour: 21, minute: 37).date())
        settings.screen.setQuietStart(hour: picked.hour, minute: picked.minute)
        settings.screen.setQuietEnd(hour: 6, minute: 0)
        editor = try XCTUnwrap(settings.state.quietEditor)
        XCTAssertEqual(editor.start, ClockTime(hour: 21, minute: 35), "taken down to the core's step")
        XCTAssertEqual(editor.minuteStep, 5)
        XCTAssertTrue(editor.text.contains(editor.startText) && editor.text.contains(editor.endText), editor.text)
        XCTAssertNil(editor.error)

        settings.screen.saveQuietEdit()
        XCTAssertNil(settings.state.quietEditor)
        let thursday = try XCTUnwrap(settings.state.quietDays.first { $0.day == .thu })
        XCTAssertEqual(thursday.start, "21:35")
        XCTAssertEqual(thursday.end, "06:00")
    }
}
