// The process: one core (OfficerApp) with the platform services, its screens, the sync glue,
// the notification channels, periodic work, the network watcher and the foreground event.
package dev.offduty.android

import android.app.Application
import android.content.Context
import android.os.Build
import androidx.lifecycle.DefaultLifecycleObserver
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.ProcessLifecycleOwner
import com.google.firebase.messaging.FirebaseMessaging
import dev.offduty.android.platform.AndroidDeviceClock
import dev.offduty.android.platform.KeystoreSecretStore
import dev.offduty.android.platform.KeystoreSigner
import dev.offduty.android.platform.NetworkWatcher
import dev.offduty.android.platform.Notifier
import dev.offduty.android.platform.WorkManagerScheduler
import dev.offduty.core.OfficerApp
import dev.offduty.core.OfficerScreens
import dev.offduty.ui.BackgroundSync
import dev.offduty.ui.PostedStore
import dev.offduty.ui.Vaults
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.launch

class OffdutyApplication : Application() {
    lateinit var core: OfficerApp
    lateinit var screens: OfficerScreens
    lateinit var background: BackgroundSync
    lateinit var notifier: Notifier
    lateinit var vaults: Vaults
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    override fun onCreate() {
        super.onCreate()
        val signer = KeystoreSigner(this)
        vaults = Vaults(signer.strongBox, "${Build.MANUFACTURER} ${Build.MODEL}")
        core = OfficerApp(getDatabasePath("offduty.db").apply { parentFile?.mkdirs() }.absolutePath,
            BuildConfig.DEFAULT_SERVER, signer, KeystoreSecretStore(this), AndroidDeviceClock())
        screens = OfficerScreens(core)
        notifier = Notifier(this).apply { createChannels() }
        background = BackgroundSync(screens, WorkManagerScheduler(this), PrefsPostedStore(this))
        background.onAppStart()
        NetworkWatcher(this) { background.onNetworkBack() }.start()
        ProcessLifecycleOwner.get().lifecycle.addObserver(object : DefaultLifecycleObserver {
            override fun onStart(owner: LifecycleOwner) { scope.launch { background.onForeground() } }
        })
        // Without Google Play services (managed phones) there is no token: the app syncs on
        // foreground, network and the periodic work instead.
        runCatching {
            FirebaseMessaging.getInstance().token.addOnSuccessListener { t -> scope.launch { background.onToken(t) } }
        }
    }
}

/** The inbox items already posted, in app-private preferences. */
class PrefsPostedStore(context: Context) : PostedStore {
    private val prefs = context.getSharedPreferences("offduty-posted", Context.MODE_PRIVATE)
    override fun primed() = prefs.getBoolean("primed", false)
    override fun posted(): Set<String> = prefs.getStringSet("ids", emptySet())!!
    override fun record(ids: Collection<String>) {
        prefs.edit().putBoolean("primed", true).putStringSet("ids", posted() + ids).apply()
    }
}
