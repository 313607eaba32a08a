// My shifts: the sections the core makes (upcoming, in line, past), pull to refresh, and the
// actions of each shift as swipe actions, confirmed with the core's dialog.
//
// Apple only (SwiftUI, UIKit): parsed by scripts/swift-check.sh here, compiled on a Mac.

#if canImport(SwiftUI) && canImport(UIKit)
import OffdutyApp
import OffdutyCore
import SwiftUI

struct ShiftsView: View {
    @ObservedObject var model: ShiftsModel
    @State private var asking: (row: ShiftRow, action: JobAction)?
    @State private var reason = ""

    var body: some View {
        let s = model.state
        List {
            Section {
                SyncLine(sync: s.sync)
                if let notice = s.notice {
                    NoticeBanner(notice: notice) { model.screen.dismissNotice() }
                }
            }
            if let empty = s.empty {
                Text(empty).foregroundStyle(.secondary)
            }
            ForEach(s.sections, id: \.kind) { section in
                Section(section.title) {
                    ForEach(section.rows, id: \.jobId) { row in
                        NavigationLink(value: Destination.job(id: row.jobId)) {
                            VStack(alignment: .leading, spacing: 4) {
                                Text(row.title).font(.headline)
                                Text(row.when)
                                Text(row.site).foregroundStyle(.secondary)
                                Text(row.standingText).font(.caption.bold()).foregroundStyle(row.standing.tint)
                                if let wedged = row.wedged { Text(wedged).font(.caption).foregroundStyle(.red) }
                                if let refused = row.refused { Text(refused).font(.caption).foregroundStyle(.orange) }
                            }
                            .accessibilityElement(children: .combine)
                        }
                        .swipeActions(edge: .trailing) {
                            ForEach(row.actions.filter(\.enabled), id: \.kind) { action in
                                Button(action.label, role: action.kind == .cancel ? .destructive : nil) {
                                    if action.confirm == nil {
                                        Task { await model.screen.perform(jobId: row.jobId, kind: action.kind, reason: nil) }
                                    } else {
                                        asking = (row, action)
                                    }
                                }
                                .tint(action.kind == .cancel ? .red : .blue)
                            }
                        }
                    }
                }
            }
        }
        .refreshable { await model.screen.refresh() }
        .navigationTitle(Tab.myShifts.title)
        .toolbar {
            // The unsent actions live under My shifts (the core's `tabForRoute(.activity)`).
            ToolbarItem(placement: .primaryAction) {
                NavigationLink(value: Destination.activity) {
                    Label(appFrame.activity, systemImage: "tray.and.arrow.up")
                }
            }
        }
        .alert(asking?.action.confirm?.title ?? "", isPresented: Binding(get: { asking != nil }, set: { if !$0 { asking = nil } })) {
            if let pending = asking, let dialog = pending.action.confirm {
                if let label = dialog.reasonLabel { TextField(label, text: $reason) }
                Button(dialog.confirmLabel, role: pending.action.kind == .cancel ? .destructive : nil) {
                    let given = reason.isEmpty ? nil : reason
                    reason = ""
                    Task { await model.screen.perform(jobId: pending.row.jobId, kind: pending.action.kind, reason: given) }
                }
                Button(dialog.cancelLabel, role: .cancel) {}
            }
        } message: {
            Text(asking?.action.confirm?.message ?? "")
        }
        .sheet(isPresented: Binding(get: { s.transfer != nil }, set: { if !$0 { model.screen.closeTransfer() } })) {
            if let picker = s.transfer {
                TransferSheet(
                    picker: picker,
                    search: { await model.screen.searchOfficers(query: $0) },
                    choose: { await model.screen.transferTo(officerId: $0) },
                    offer: { await model.screen.perform(jobId: picker.jobId, kind: .offer, reason: nil) }
                )
            }
        }
    }
}
#endif
