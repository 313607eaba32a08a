// WorkManager for the sync glue (dev.offduty.ui.BackgroundSync): unique periodic work, expedited
// one-time work when the network returns or a push arrives, and the worker that runs one pass.
package dev.offduty.android.platform

import android.content.Context
import android.net.ConnectivityManager
import android.net.Network
import android.net.NetworkCapabilities
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.OutOfQuotaPolicy
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import androidx.work.workDataOf
import dev.offduty.android.OffdutyApplication
import dev.offduty.ui.SyncScheduler
import dev.offduty.ui.WorkKind
import java.util.concurrent.TimeUnit

class WorkManagerScheduler(context: Context) : SyncScheduler {
    private val work = WorkManager.getInstance(context)
    private val online = Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build()

    override fun schedulePeriodic(minutes: Long) {
        work.enqueueUniquePeriodicWork(WorkKind.PERIODIC.uniqueName, ExistingPeriodicWorkPolicy.KEEP,
            PeriodicWorkRequestBuilder<SyncWorker>(minutes, TimeUnit.MINUTES).setConstraints(online)
                .setInputData(workDataOf(KIND to WorkKind.PERIODIC.name)).build())
    }

    override fun runExpedited(kind: WorkKind, payload: String?) {
        work.enqueueUniqueWork(kind.uniqueName, ExistingWorkPolicy.REPLACE,
            OneTimeWorkRequestBuilder<SyncWorker>()
                .setExpedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
                .setInputData(workDataOf(KIND to kind.name, PAYLOAD to payload)).build())
    }

    companion object {
        const val KIND = "kind"
        const val PAYLOAD = "payload"
    }
}

/** One background pass: the core decides whether to sync; new inbox items are posted. */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val app = applicationContext as OffdutyApplication
        val kind = WorkKind.valueOf(inputData.getString(WorkManagerScheduler.KIND) ?: WorkKind.PERIODIC.name)
        val result = app.background.work(kind, inputData.getString(WorkManagerScheduler.PAYLOAD))
        result.notifications.forEach(app.notifier::post)
        return if (result.retry) Result.retry() else Result.success()
    }

    override suspend fun getForegroundInfo() = (applicationContext as OffdutyApplication).notifier.syncForegroundInfo()
}

/** Tells the sync glue when a validated network appears. */
class NetworkWatcher(context: Context, private val onBack: () -> Unit) : ConnectivityManager.NetworkCallback() {
    private val cm = context.getSystemService(ConnectivityManager::class.java)
    fun start() = cm.registerDefaultNetworkCallback(this)
    override fun onCapabilitiesChanged(network: Network, caps: NetworkCapabilities) {
        if (caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_VALIDATED)) onBack()
    }
}
