// The clock: the shift, the fence and the fix on a map, the core's verdict and reasons, the
// confirm button (a rejected punch asks again), the punches made. When the screen needs a fix
// the view asks CoreLocation through ClockLocation; when location is denied the core's message
// and advice show, with a button to the app's settings.
//
// Apple only (SwiftUI, UIKit): parsed by scripts/swift-check.sh here, compiled on a Mac.

#if canImport(SwiftUI) && canImport(UIKit)
import OffdutyApp
import OffdutyCore
import SwiftUI
import UIKit

struct ClockView: View {
    /// Owned by AppModel (one per clock job), as is the location step (one CoreLocation
    /// manager for the app): a redraw makes neither again.
    @ObservedObject var model: ClockModel
    let location: ClockLocation?
    @Environment(\.openURL) private var openURL

    var body: some View {
        let s = model.state
        List {
            Section {
                SyncLine(sync: s.sync)
                if let notice = s.notice {
                    NoticeBanner(notice: notice) { model.screen.dismissNotice() }
                }
            }
            if let shift = s.shift {
                Section {
                    Text(shift.title).font(.headline)
                    Text(shift.when)
                    Text(shift.site).foregroundStyle(.secondary)
                }
            }
            if let map = s.map {
                Section {
                    FenceMap(fence: map.fence, fix: map.fix, accuracyM: map.accuracyM)
                        .listRowInsets(EdgeInsets())
                }
            }
            Section {
                Text(s.message).font(.title3)
                if s.needsLocation { ProgressView().accessibilityLabel(appLabels.clockLocating) }
                if let advice = s.advice {
                    Text(advice).foregroundStyle(.secondary)
                    if s.phase == .locationUnavailable {
                        Button(appLabels.clockOpenSettings) {
                            if let url = URL(string: UIApplication.openSettingsURLString) { openURL(url) }
                        }
                    }
                }
                ForEach(s.reasons, id: \.code) { reason in
                    Label(reason.text, systemImage: "exclamationmark.triangle").foregroundStyle(.orange)
                }
                if let label = s.confirmLabel {
                    Button {
                        Task { await model.screen.confirm() }
                    } label: {
                        Text(label).frame(maxWidth: .infinity)
                    }
                    .buttonStyle(.borderedProminent)
                    .tint(s.phase == .confirmRejected ? .red : .accentColor)
                    .disabled(s.busy)
                }
                if let label = s.startLabel {
                    Button(label) { model.screen.start() }
                }
            }
            Section {
                ForEach([s.clockIn, s.clockOut].compactMap { $0 }, id: \.text) { punch in
                    VStack(alignment: .leading) {
                        Text(punch.text)
                        if let verdict = punch.verdictText { Text(verdict).font(.footnote).foregroundStyle(.secondary) }
                    }
                    .accessibilityElement(children: .combine)
                }
            }
        }
        .refreshable { await model.screen.refresh() }
        .navigationTitle(s.title)
        .task(id: s.needsLocation) {
            if s.needsLocation, let location { await location.serve(model.screen) }
        }
    }
}
#endif
