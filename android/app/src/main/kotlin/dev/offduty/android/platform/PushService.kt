// FCM: a new token goes to the core (it registers it with the server during a sync); a message
// wakes expedited sync work with its data. Phones without Google Play services never call this.
package dev.offduty.android.platform

import com.google.firebase.messaging.FirebaseMessagingService
import com.google.firebase.messaging.RemoteMessage
import dev.offduty.android.OffdutyApplication
import kotlinx.coroutines.runBlocking
import org.json.JSONObject

class PushService : FirebaseMessagingService() {
    private val app get() = application as OffdutyApplication

    override fun onNewToken(token: String) {
        runBlocking { app.background.onToken(token) }
    }

    override fun onMessageReceived(message: RemoteMessage) {
        app.background.onPush(JSONObject(message.data as Map<*, *>).toString())
    }
}
