// The sign-in form until an officer is signed in, then the tab bar: Jobs, My shifts, Clock,
// Earnings, Settings, each with its NavigationStack bound to AppModel's navigation (so a tapped
// notification or a link lands on the screen the core names).
//
// Apple only (SwiftUI, UIKit): parsed by scripts/swift-check.sh here, compiled on a Mac.

#if canImport(SwiftUI) && canImport(UIKit)
import OffdutyApp
import OffdutyCore
import SwiftUI

struct RootView: View {
    @ObservedObject var model: AppModel

    var body: some View {
        if model.signedIn {
            MainTabs(model: model)
        } else {
            SignInView(model: model, form: model.signIn())
        }
    }
}

struct MainTabs: View {
    @ObservedObject var model: AppModel

    var body: some View {
        TabView(selection: $model.navigation.tab) {
            stack(.jobs) { BoardView(app: model, model: model.board) }
            stack(.myShifts) { ShiftsView(model: model.shifts) }
            stack(.clock) { ClockView(model: model.clock(), location: model.clockLocation).id(model.navigation.clockJob) }
            stack(.earnings) { EarningsView(model: model.earnings, history: model.history) }
            stack(.settings) { SettingsView(app: model, model: model.settings) }
        }
    }

    private func stack<Content: View>(_ tab: Tab, @ViewBuilder root: () -> Content) -> some View {
        NavigationStack(path: pathBinding(tab)) {
            root()
                .navigationDestination(for: Destination.self) { destination in
                    switch destination {
                    case let .job(id): JobView(model: model.job(id))
                    case .inbox: InboxView(app: model, model: model.inbox())
                    case .activity: ActivityView(model: model.activity())
                    }
                }
        }
        .tabItem { Label(tab.title, systemImage: tab.symbol) }
        .tag(tab)
    }

    private func pathBinding(_ tab: Tab) -> Binding<[Destination]> {
        Binding(
            get: { model.navigation.path(tab) },
            set: { model.navigation.paths[tab] = $0 }
        )
    }
}
#endif
