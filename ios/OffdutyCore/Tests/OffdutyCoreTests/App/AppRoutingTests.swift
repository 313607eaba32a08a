// The iOS app's routing and seams that need no server: every core Route to its tab and stack,
// a tapped APNs notification through the real core to the screen it opens, the APNs token as
// hex, the key choice (Secure Enclave or a Keychain software key, and the app saying which) and
// the network watcher's "came back" edge.

import Foundation
import XCTest

import OffdutyApp
import OffdutyCore

final class AppRoutingTests: ScreensTestCase {
    func testEveryRouteOpensItsTabAndScreen() {
        let cases: [(Route, Tab, [Destination])] = [
            (.board, .jobs, []),
            (.job(id: "j1"), .jobs, [.job(id: "j1")]),
            (.inbox, .jobs, [.inbox]),
            (.myShifts, .myShifts, []),
            (.clock(job: "j2"), .clock, []),
            (.earnings, .earnings, []),
            (.activity, .myShifts, [.activity]),
            (.settings, .settings, []),
        ]
        for (route, tab, path) in cases {
            var nav = Navigation()
            nav.paths[.jobs] = [.inbox, .job(id: "old")]
            nav.show(route)
            XCTAssertEqual(nav.tab, tab, "\(route)")
            XCTAssertEqual(nav.path(tab), path, "\(route)")
        }
        var nav = Navigation()
        nav.show(.clock(job: "j2"))
        XCTAssertEqual(nav.clockJob, "j2")
        XCTAssertEqual(Tab.ordered, [.jobs, .myShifts, .clock, .earnings, .settings])
        XCTAssertEqual(Tab.ordered.map(\.title), chrome().tabs.map(\.title))
        XCTAssertEqual(Tab.myShifts.title, "My shifts")
    }

    func testATappedNotificationOpensTheScreenTheCoreNames() async throws {
        // Not signed in: the core routes, nothing is synced first.
        let model = AppModel(app: try newApp(), platform: DevicePlatform(keyStorage: .secureEnclave, deviceLabel: "test"),
                             delivery: .immediate)
        XCTAssertFalse(model.signedIn)
        let job = UUID().uuidString.lowercased()
        let userInfo: [AnyHashable: Any] = [
            "aps": ["alert": ["title": "Shift called off", "body": "x"]],
            "kind": "job_cancelled", "job_id": job,
        ]
        let route = await model.notificationTapped(userInfo)
        XCTAssertEqual(route, .job(id: job))
        XCTAssertEqual(model.navigation.tab, .jobs)
        XCTAssertEqual(model.navigation.path(.jobs), [.job(id: job)])

        let earnings = await model.notificationTapped(["link": "offduty://earnings"])
        XCTAssertEqual(earnings, .earnings)
        XCTAssertEqual(model.navigation.tab, .earnings)
        let clock = await model.openLink("offduty://clock")
        XCTAssertEqual(clock, .clock(job: nil))
        XCTAssertEqual(model.navigation.tab, .clock)
        let bare = await model.notificationTapped(["aps": ["badge": 1]])
        XCTAssertEqual(bare, .inbox, "a push with nothing to route by")
        XCTAssertEqual(model.navigation.path(.jobs), [.inbox])

        // Events before a sign-in never sync.
        let launched = await model.launched()
        XCTAssertFalse(launched.synced)
        XCTAssertEqual(launched.reason, .notSignedIn)
        let periodic = await model.backgroundRefresh()
        XCTAssertEqual(periodic.reason, .notSignedIn)
    }

    func testPushPayloadAndToken() throws {
        XCTAssertEqual(PushToken.hex(Data([0x00, 0x5a, 0xff, 0x10])), "005aff10")
        let json = PushPayload.json([AnyHashable("kind"): "awarded", AnyHashable(7): "dropped", AnyHashable("job_id"): "j"])
        let decoded = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])
        XCTAssertEqual(decoded, ["kind": "awarded", "job_id": "j"])
        XCTAssertEqual(PushPayload.json(["date": Date()]), "{}", "what JSON cannot carry is not sent")
    }

    func testTheKeyIsInTheEnclaveWhenThereIsOneAndTheAppSaysWhere() async throws {
        let device = FakeKeySource(enclave: true)
        XCTAssertEqual(try DeviceKey.choose(device).storage, .secureEnclave)
        XCTAssertEqual(device.asked, [.secureEnclave])

        // The Simulator: a software key in the Keychain, and the sign-in and settings say so.
        let simulator = FakeKeySource(enclave: false)
        let key = try DeviceKey.choose(simulator)
        XCTAssertEqual(key.storage, .keychainSoftware)
        XCTAssertEqual(simulator.asked, [.keychainSoftware])
        XCTAssertFalse(try key.signer.publicKey().isEmpty)

        // An Enclave that fails is an error, never a silent software key.
        let broken = FakeKeySource(enclave: true)
        broken.enclaveFails = true
        XCTAssertThrowsError(try DeviceKey.choose(broken))
        XCTAssertEqual(broken.asked, [.secureEnclave])

        let enclave = DevicePlatform(keyStorage: .secureEnclave, deviceLabel: "iPhone")
        let software = DevicePlatform(keyStorage: .keychainSoftware, deviceLabel: "iPhone Simulator")
        XCTAssertEqual(enclave.signIn.keyVault, .secureEnclave)
        XCTAssertEqual(enclave.signIn.sessionVault, .keychain)
        XCTAssertEqual(software.signIn.keyVault, .keychainSoftware)

        let app = try newApp()
        let onDevice = AppModel(app: app, platform: enclave, delivery: .immediate).signIn().state.secrets ?? ""
        XCTAssertTrue(onDevice.contains("Keychain") && onDevice.contains("Secure Enclave"), onDevice)
        let onSimulator = AppModel(app: app, platform: software, delivery: .immediate).signIn().state.secrets ?? ""
        XCTAssertFalse(onSimulator.isEmpty)
        XCTAssertFalse(onSimulator.contains("Secure Enclave"), onSimulator)
        XCTAssertNotEqual(onDevice, onSimulator)
        // Settings says it in the same words (the core's, for both screens).
        XCTAssertEqual(AppModel(app: app, platform: software, delivery: .immediate).settings.state.secrets, onSimulator)
    }

    func testOnlyAReturningNetworkIsAnEvent() {
        let watcher = NetworkWatcher()
        XCTAssertFalse(watcher.pathChanged(satisfied: true), "the first report at start-up")
        XCTAssertFalse(watcher.pathChanged(satisfied: true))
        XCTAssertFalse(watcher.pathChanged(satisfied: false))
        XCTAssertFalse(watcher.pathChanged(satisfied: false))
        XCTAssertTrue(watcher.pathChanged(satisfied: true), "back")
        XCTAssertFalse(watcher.pathChanged(satisfied: true))
    }
}
