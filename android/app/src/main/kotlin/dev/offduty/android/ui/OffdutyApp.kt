// The app's frame: the NavHost over the core's routes (dev.offduty.ui.Destinations), the bottom
// navigation, and a deep link opened through the core (routeForLink, then open).
package dev.offduty.android.ui

import androidx.compose.foundation.layout.padding
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.AccessTime
import androidx.compose.material.icons.filled.AttachMoney
import androidx.compose.material.icons.filled.Event
import androidx.compose.material.icons.filled.Settings
import androidx.compose.material.icons.filled.Work
import androidx.compose.material3.Icon
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.lifecycle.viewmodel.compose.viewModel
import androidx.navigation.NavHostController
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.currentBackStackEntryAsState
import androidx.navigation.compose.rememberNavController
import dev.offduty.android.OffdutyApplication
import dev.offduty.android.viewmodel.ActivityViewModel
import dev.offduty.android.viewmodel.BoardViewModel
import dev.offduty.android.viewmodel.ClockViewModel
import dev.offduty.android.viewmodel.EarningsViewModel
import dev.offduty.android.viewmodel.HistoryViewModel
import dev.offduty.android.viewmodel.InboxViewModel
import dev.offduty.android.viewmodel.JobViewModel
import dev.offduty.android.viewmodel.SettingsViewModel
import dev.offduty.android.viewmodel.ShiftsViewModel
import dev.offduty.android.viewmodel.SignInViewModel
import dev.offduty.core.Route
import dev.offduty.ui.Destinations
import dev.offduty.ui.Tab
import kotlinx.coroutines.flow.MutableStateFlow

private val tabIcons = mapOf(Tab.JOBS to Icons.Filled.Work, Tab.MY_SHIFTS to Icons.Filled.Event,
    Tab.CLOCK to Icons.Filled.AccessTime, Tab.EARNINGS to Icons.Filled.AttachMoney, Tab.SETTINGS to Icons.Filled.Settings)

@Composable
fun OffdutyApp(app: OffdutyApplication, links: MutableStateFlow<String?>) = OffdutyTheme {
    val nav = rememberNavController()
    val link = links.collectAsStateValue()
    val signInLink = remember { mutableStateOf<String?>(null) }
    LaunchedEffect(link) {
        val url = link ?: return@LaunchedEffect
        links.value = null
        if (url.startsWith(Destinations.SCHEME + Destinations.SIGN_IN)) {
            signInLink.value = url // the form reads it (OfficerScreens' sign-in link, decision 028)
            nav.navigate(Destinations.SIGN_IN); return@LaunchedEffect
        }
        val route = app.screens.routeForLink(url)
        app.screens.open(route) // fresh enough first (decision 029)
        nav.go(route)
    }
    val entry by nav.currentBackStackEntryAsState()
    val pattern = entry?.destination?.route
    val current = pattern?.let { Destinations.route(it, entry?.arguments?.getString(Destinations.JOB_ID)) }
    Scaffold(bottomBar = {
        if (current != null) NavigationBar {
            Tab.ordered().forEach { tab ->
                NavigationBarItem(selected = Destinations.tab(current) == tab,
                    onClick = { nav.navigate(tab.path) { launchSingleTop = true; popUpTo("board") } },
                    icon = { Icon(tabIcons.getValue(tab), contentDescription = null) },
                    label = { Text(tab.label) })
            }
        }
    }) { padding ->
        NavHost(nav, startDestination = Destinations.start(app.core.session() != null),
            modifier = Modifier.padding(padding)) {
            composable(Destinations.SIGN_IN) {
                val vm = viewModel { SignInViewModel(app) }
                LaunchedEffect(signInLink.value) { signInLink.value?.let { vm.model.openLink(it); signInLink.value = null } }
                SignInScreen(vm) { nav.navigate("board") { popUpTo(0) } }
            }
            composable("board") { BoardScreen(viewModel { BoardViewModel(app) }, nav::go) }
            composable("job/{${Destinations.JOB_ID}}") { e ->
                val id = e.arguments!!.getString(Destinations.JOB_ID)!!
                JobScreen(viewModel(key = id) { JobViewModel(app, id) })
            }
            composable("shifts") { ShiftsScreen(viewModel { ShiftsViewModel(app) }, nav::go) }
            composable("clock") { ClockScreen(viewModel { ClockViewModel(app, null) }) }
            composable("clock/{${Destinations.JOB_ID}}") { e ->
                val id = e.arguments!!.getString(Destinations.JOB_ID)
                ClockScreen(viewModel(key = "clock-$id") { ClockViewModel(app, id) })
            }
            composable("earnings") { EarningsScreen(viewModel { EarningsViewModel(app) }) { nav.navigate("history") } }
            composable("history") { HistoryScreen(viewModel { HistoryViewModel(app) }) }
            composable("activity") { ActivityScreen(viewModel { ActivityViewModel(app) }) }
            composable("settings") {
                SettingsScreen(viewModel { SettingsViewModel(app) }) { nav.navigate(Destinations.SIGN_IN) { popUpTo(0) } }
            }
            composable("inbox") { InboxScreen(viewModel { InboxViewModel(app) }, nav::go) }
        }
    }
}

private fun NavHostController.go(route: Route) = navigate(Destinations.path(route)) { launchSingleTop = true }
