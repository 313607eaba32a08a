// The Jobs tab: the board as the core orders and filters it, pull to refresh, the sort, the
// inbox in the toolbar, each row opening the job.
//
// Apple only (SwiftUI, UIKit): parsed by scripts/swift-check.sh here, compiled on a Mac.

#if canImport(SwiftUI) && canImport(UIKit)
import OffdutyApp
import OffdutyCore
import SwiftUI

struct BoardView: View {
    let app: AppModel
    @ObservedObject var model: BoardModel

    var body: some View {
        let s = model.state
        List {
            Section {
                SyncLine(sync: s.sync)
                if let notice = s.notice {
                    NoticeBanner(notice: notice) { model.screen.dismissNotice() }
                }
                Text(s.filterSummary).font(.footnote).foregroundStyle(.secondary)
            }
            if let empty = s.empty {
                Text(empty).foregroundStyle(.secondary)
            }
            ForEach(s.rows, id: \.jobId) { row in
                NavigationLink(value: Destination.job(id: row.jobId)) {
                    BoardRowView(row: row)
                }
            }
            if s.hasMore {
                Button(appFrame.loadMore) { model.screen.loadMore() }
            }
        }
        .refreshable { await model.screen.refresh() }
        .navigationTitle(Tab.jobs.title)
        .toolbar {
            ToolbarItem(placement: .topBarLeading) {
                Menu {
                    Picker(appLabels.sort, selection: Binding(get: { s.sort }, set: { model.screen.setSort(sort: $0) })) {
                        ForEach(appLabels.sorts, id: \.sort) { choice in
                            Text(choice.label).tag(choice.sort)
                        }
                    }
                } label: {
                    Label(appLabels.sort, systemImage: "arrow.up.arrow.down")
                }
            }
            ToolbarItem(placement: .topBarTrailing) {
                NavigationLink(value: Destination.inbox) {
                    Label(appFrame.inbox, systemImage: "bell")
                }
            }
        }
    }
}

struct BoardRowView: View {
    let row: BoardRow

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            HStack(alignment: .firstTextBaseline) {
                Text(row.title).font(.headline)
                Spacer()
                Text(row.pay).font(.subheadline.monospacedDigit())
            }
            Text(row.when).font(.subheadline)
            Text(row.site).font(.subheadline).foregroundStyle(.secondary)
            HStack {
                Text(row.slots)
                Text(row.awardLabel)
                if let distance = row.distance { Text(distance) }
            }
            .font(.caption)
            .foregroundStyle(.secondary)
            if row.standing != .none {
                Text(row.standingText).font(.caption.bold()).foregroundStyle(row.standing.tint)
            } else if row.eligibility != .eligible {
                Text(row.eligibilityText).font(.caption).foregroundStyle(.orange)
            }
        }
        .accessibilityElement(children: .combine)
    }
}
#endif
