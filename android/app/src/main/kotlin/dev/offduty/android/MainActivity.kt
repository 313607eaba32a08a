// The one activity: draws the Compose app, hands it the deep link it was opened with (a
// notification's tap, a department's offduty:// link), and asks for POST_NOTIFICATIONS on 13+.
package dev.offduty.android

import android.Manifest
import android.content.Intent
import android.os.Build
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.activity.result.contract.ActivityResultContracts
import dev.offduty.android.ui.OffdutyApp
import kotlinx.coroutines.flow.MutableStateFlow

class MainActivity : ComponentActivity() {
    private val links = MutableStateFlow<String?>(null)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        links.value = intent?.dataString
        if (Build.VERSION.SDK_INT >= 33) {
            registerForActivityResult(ActivityResultContracts.RequestPermission()) {}
                .launch(Manifest.permission.POST_NOTIFICATIONS)
        }
        setContent { OffdutyApp(application as OffdutyApplication, links) }
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        links.value = intent.dataString
    }
}
