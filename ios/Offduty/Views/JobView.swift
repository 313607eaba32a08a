// One job: its detail, the fence on a map, the reasons the officer may not work it, and the
// actions the core offers (each confirmed with the core's dialog); the colleague search for a
// hand-on.
//
// Apple only (SwiftUI, UIKit): parsed by scripts/swift-check.sh here, compiled on a Mac.

#if canImport(SwiftUI) && canImport(UIKit)
import OffdutyApp
import OffdutyCore
import SwiftUI

struct JobView: View {
    /// Owned by AppModel while the job is on a stack: the stack's redraws build this view
    /// again, never the model (nor the Rust screen).
    @ObservedObject var model: JobModel

    var body: some View {
        let s = model.state
        List {
            Section {
                SyncLine(sync: s.sync)
                if let notice = s.notice {
                    NoticeBanner(notice: notice) { model.screen.dismissNotice() }
                }
            }
            if let missing = s.missing {
                Text(missing).foregroundStyle(.secondary)
            }
            if let d = s.detail {
                Section {
                    Text(d.title).font(.title2.bold())
                    Text(d.when)
                    Text(d.duration).foregroundStyle(.secondary)
                    Text(d.customer)
                    Text(d.address).foregroundStyle(.secondary)
                    if let closed = d.closed { Text(closed).foregroundStyle(.red) }
                }
                Section {
                    FenceMap(fence: d.fence.geofence)
                        .listRowInsets(EdgeInsets())
                    if let distance = d.distance { Text(distance).font(.footnote) }
                }
                Section(appLabels.jobPay) {
                    Text(d.pay)
                    if let estimate = d.estimate { Text(estimate).foregroundStyle(.secondary) }
                    Text(d.slots)
                }
                Section(appLabels.jobAward) {
                    Text(d.awardLabel).font(.headline)
                    Text(d.awardText)
                    Text(d.awardDecides).foregroundStyle(.secondary)
                    Text(d.signupText)
                    Text(d.release).font(.footnote).foregroundStyle(.secondary)
                }
                Section(appLabels.jobYou) {
                    Text(d.standingText).foregroundStyle(d.standing.tint)
                    if let line = d.placeInLine { Text(line) }
                    Text(d.eligibilityText)
                    ForEach(d.reasons, id: \.code) { reason in
                        Label(reason.text, systemImage: "exclamationmark.circle")
                    }
                    if let wedged = d.wedged { Text(wedged).foregroundStyle(.red) }
                    if let refused = d.refused { Text(refused).foregroundStyle(.orange) }
                }
                if let notes = d.notes {
                    Section(appLabels.jobNotes) { Text(notes) }
                }
            }
            if !s.actions.isEmpty {
                Section {
                    ForEach(s.actions, id: \.kind) { action in
                        if action.kind == .runningLate {
                            // Running late: the minutes are the choice (the core lists them).
                            LateChoices(title: s.lateTitle, choices: s.lateChoices) { minutes in
                                await model.screen.reportLate(minutes: minutes)
                            }
                        } else {
                            ActionButton(action: action) { reason in
                                await model.screen.perform(kind: action.kind, reason: reason)
                            }
                        }
                    }
                }
            }
        }
        .disabled(s.busy)
        .overlay { if s.busy { ProgressView() } }
        .refreshable { await model.screen.refresh() }
        .navigationTitle(s.detail?.title ?? appLabels.job)
        .navigationBarTitleDisplayMode(.inline)
        .sheet(isPresented: Binding(get: { s.transfer != nil }, set: { if !$0 { model.screen.closeTransfer() } })) {
            if let picker = s.transfer {
                TransferSheet(
                    picker: picker,
                    search: { await model.screen.searchOfficers(query: $0) },
                    choose: { await model.screen.transferTo(officerId: $0) },
                    offer: { await model.screen.perform(kind: .offer, reason: nil) }
                )
            }
        }
    }
}

/// "Running late": one button per choice of minutes, under the core's title.
struct LateChoices: View {
    let title: String
    let choices: [LateChoice]
    let report: (UInt16) async -> Void

    var body: some View {
        VStack(alignment: .leading) {
            Text(title).font(.headline)
            HStack {
                ForEach(choices, id: \.minutes) { choice in
                    Button(choice.label) { Task { await report(choice.minutes) } }
                        .buttonStyle(.bordered)
                }
            }
        }
    }
}

/// The colleague search of a hand-on (from the job screen or My shifts).
struct TransferSheet: View {
    let picker: TransferPicker
    let search: (String) async -> Void
    let choose: (String) async -> Void
    let offer: () async -> Void
    @State private var query = ""
    @State private var chosen: OfficerMatch?

    var body: some View {
        NavigationStack {
            List {
                if let hint = picker.hint { Text(hint).foregroundStyle(.secondary) }
                if picker.offline { Label(appLabels.offline, systemImage: "wifi.slash") }
                ForEach(picker.results, id: \.officerId) { match in
                    Button {
                        chosen = match
                    } label: {
                        VStack(alignment: .leading) {
                            Text(match.displayName).font(.headline)
                            Text(match.line).font(.subheadline).foregroundStyle(.secondary)
                        }
                    }
                }
                if let offerAction = picker.offer {
                    ActionButton(action: offerAction) { _ in await offer() }
                }
            }
            .searchable(text: $query)
            .onChange(of: query) { text in Task { await search(text) } }
            .overlay { if picker.searching { ProgressView() } }
            .navigationTitle(picker.title)
            .confirmationDialog(chosen?.confirm.title ?? "", isPresented: Binding(get: { chosen != nil }, set: { if !$0 { chosen = nil } }),
                                titleVisibility: .visible, presenting: chosen) { match in
                Button(match.confirm.confirmLabel) { Task { await choose(match.officerId) } }
                Button(match.confirm.cancelLabel, role: .cancel) {}
            } message: { match in
                Text(match.confirm.message)
            }
        }
    }
}
#endif
