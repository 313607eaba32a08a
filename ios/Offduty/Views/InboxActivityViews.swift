// The inbox (notifications, read on the phone; opening one goes where the core routes it) and
// the activity screen (actions waiting or wedged, retried or discarded with the core's dialog).
//
// Apple only (SwiftUI, UIKit): parsed by scripts/swift-check.sh here, compiled on a Mac.

#if canImport(SwiftUI) && canImport(UIKit)
import OffdutyApp
import OffdutyCore
import SwiftUI

struct InboxView: View {
    let app: AppModel
    /// Owned by AppModel while the inbox is on a stack.
    @ObservedObject var model: InboxModel

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
            ForEach(s.items, id: \.id) { item in
                Button {
                    let route = model.screen.open(id: item.id)
                    Task { await app.show(route) }
                } label: {
                    HStack(alignment: .top) {
                        Circle()
                            .fill(item.unread ? Color.accentColor : .clear)
                            .frame(width: 8, height: 8)
                            .accessibilityHidden(true)
                        VStack(alignment: .leading, spacing: 2) {
                            Text(item.title).font(item.unread ? .headline : .body)
                            Text(item.body).font(.subheadline).foregroundStyle(.secondary)
                            Text(item.when).font(.caption).foregroundStyle(.secondary)
                        }
                    }
                    .accessibilityElement(children: .combine)
                    .accessibilityAddTraits(item.unread ? .isHeader : [])
                }
            }
        }
        .refreshable { await model.screen.refresh() }
        .navigationTitle(appFrame.inbox)
        .toolbar {
            if let label = s.markAllLabel {
                Button(label) { model.screen.markAllRead() }
            }
        }
    }
}

struct ActivityView: View {
    /// Owned by AppModel while the activity is on a stack.
    @ObservedObject var model: ActivityModel
    @State private var discarding: ActivityRow?

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
            if !s.wedged.isEmpty {
                Section(appLabels.activityWedged) { ForEach(s.wedged, id: \.key) { row($0) } }
            }
            if !s.pending.isEmpty {
                Section(appLabels.activityPending) { ForEach(s.pending, id: \.key) { row($0) } }
            }
        }
        .refreshable { await model.screen.refresh() }
        .navigationTitle(appFrame.activity)
        .confirmationDialog(
            discarding?.discardConfirm?.title ?? "",
            isPresented: Binding(get: { discarding != nil }, set: { if !$0 { discarding = nil } }),
            titleVisibility: .visible, presenting: discarding
        ) { row in
            if let dialog = row.discardConfirm {
                Button(dialog.confirmLabel, role: .destructive) { model.screen.discard(key: row.key) }
                Button(dialog.cancelLabel, role: .cancel) {}
            }
        } message: { row in
            Text(row.discardConfirm?.message ?? "")
        }
    }

    private func row(_ row: ActivityRow) -> some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(row.what).font(.headline)
            Text(row.jobTitle)
            Text(row.queuedText).font(.caption).foregroundStyle(.secondary)
            if let attempts = row.attemptsText { Text(attempts).font(.caption) }
            if let next = row.nextAttemptText { Text(next).font(.caption) }
            if let error = row.lastError { Text(error).font(.caption).foregroundStyle(.orange) }
            if let reason = row.wedgedReason { Text(reason).font(.caption).foregroundStyle(.red) }
            HStack {
                if let retry = row.retryLabel {
                    Button(retry) { Task { await model.screen.retry(key: row.key) } }
                }
                if let discard = row.discardLabel {
                    Button(discard, role: .destructive) {
                        if row.discardConfirm == nil { model.screen.discard(key: row.key) } else { discarding = row }
                    }
                }
            }
            .buttonStyle(.bordered)
        }
    }
}
#endif
