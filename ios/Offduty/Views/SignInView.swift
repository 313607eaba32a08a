// The sign-in form: server, e-mail, password; the core checks each field and says what is wrong
// and where the secrets will be kept (the Secure Enclave or, on the Simulator, a software key).
//
// Apple only (SwiftUI, UIKit): parsed by scripts/swift-check.sh here, compiled on a Mac.

#if canImport(SwiftUI) && canImport(UIKit)
import OffdutyApp
import OffdutyCore
import SwiftUI

struct SignInView: View {
    let model: AppModel
    /// Owned by AppModel until an officer signs in.
    @ObservedObject var form: SignInModel
    @State private var server = ""
    @State private var email = ""
    @State private var password = ""

    var body: some View {
        let s = form.state
        NavigationStack {
            Form {
                Section {
                    field(appLabels.signInServer, text: $server, error: error(.server), content: .URL)
                        .onChange(of: server) { form.screen.setServer(server: $0) }
                    field(appLabels.signInEmail, text: $email, error: error(.email), content: .emailAddress)
                        .onChange(of: email) { form.screen.setEmail(email: $0) }
                    SecureField(appLabels.signInPassword, text: $password)
                        .textContentType(.password)
                        .onChange(of: password) { form.screen.setPassword(password: $0) }
                    if let text = error(.password) {
                        Text(text).font(.footnote).foregroundStyle(.red)
                    }
                }
                if let formError = s.formError {
                    Text(formError).foregroundStyle(.red)
                }
                Section {
                    Button {
                        Task { await form.screen.submit() }
                    } label: {
                        if s.busy {
                            ProgressView(s.busyText ?? "")
                        } else {
                            Text(appLabels.signInSubmit).frame(maxWidth: .infinity)
                        }
                    }
                    .disabled(!s.canSubmit || s.busy)
                }
                if let secrets = s.secrets {
                    Section { Text(secrets).font(.footnote).foregroundStyle(.secondary) }
                }
            }
            .navigationTitle(appLabels.appName)
        }
        .onAppear {
            server = s.server
            email = s.email
        }
        .onChange(of: s.passwordEntered) { entered in
            if !entered { password = "" }
        }
        .onChange(of: s.signedIn) { signedIn in
            if signedIn != nil { model.sessionChanged() }
        }
        .onOpenURL { url in form.screen.openLink(link: url.absoluteString) }
        .onChange(of: s.server) { server = $0 }
        .onChange(of: s.email) { email = $0 }
    }

    private func error(_ field: SignInField) -> String? {
        form.state.errors.first { $0.field == field }?.text
    }

    private func field(_ title: String, text: Binding<String>, error: String?, content: UITextContentType) -> some View {
        VStack(alignment: .leading) {
            TextField(title, text: text)
                .textContentType(content)
                .textInputAutocapitalization(.never)
                .autocorrectionDisabled()
                .keyboardType(content == .emailAddress ? .emailAddress : .URL)
            if let error {
                Text(error).font(.footnote).foregroundStyle(.red)
            }
        }
    }
}
#endif
