<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AddressBookPanel</name>
    <message>
        <source>Machines</source>
        <extracomment>How long closing a case waits for the session&apos;s last calls (a chat line, the goodbye) to be recorded.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search by name, host or tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags for {name}, separated by spaces:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AssistWindow</name>
    <message>
        <source>Podpora – Get help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Get help from your IT support</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Press the button below. You will get a short code to read out to your technician. Nothing is shared until you agree.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Get help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check my computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs a few quick checks here on your computer and explains what it finds. Nothing is sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read this code to your technician</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What happens next: your technician types the code. Then you see who they are and what they ask for, and you decide. You can end the session at any time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session number: {number}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are being helped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session has ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Anything you want to add (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save a copy…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send rating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You approved a change.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You declined a change.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} made a change on your computer and approved it themselves: {title}</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>{name} helped you for %n minute(s).</source>
        <translation>
            <numerusform>{name} helped you for %n minute.</numerusform>
            <numerusform>{name} helped you for %n minutes.</numerusform>
        </translation>
    </message>
    <message>
        <source>Case: {reference}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What was done:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>approved by you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>approved by {name}, not by you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To undo: {undo}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing on your computer was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You rated this session {rating} out of 5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This code has expired. Press Cancel and ask for a new one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The code is valid for {minutes}:{seconds:02d} more.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for your technician to enter the code…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your technician is connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your technician is connected. Please answer the question on your screen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You refused. Nothing was shared. You can close this window.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your technician</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is disconnected and cannot see or control anything. Waiting for them to return…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session is paused. {name} cannot see your screen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} can see your screen and use your mouse and keyboard.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} can see your screen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is connected. You can chat here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Worth a look</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking your computer… this takes a few seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Found %n thing(s) worth a look.</source>
        <translation>
            <numerusform>Found %n thing worth a look.</numerusform>
            <numerusform>Found %n things worth a look.</numerusform>
        </translation>
    </message>
    <message>
        <source>Everything we checked looks fine.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The check could not run: {detail}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thank you! Your rating was sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When your technician is done: how helpful was this session? Your rating goes into the case.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save a copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text (*.txt)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save the copy: {detail}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CasePanel</name>
    <message>
        <source>Ticket:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. RM-1234</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user&apos;s description of the problem:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a note to the case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export case…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note: {text}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticket saved.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatWidget</name>
    <message>
        <source>Type a message</source>
        <extracomment>Longest message accepted from the keyboard; the protocol enforces its own limit too.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConnectDialog</name>
    <message>
        <source>Connect</source>
        <extracomment>The technician&apos;s answers, with the same values as ``app.remote.ssh.HostKeyDecision``.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Directly (SSH to the machine)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Through a gateway (session code)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host or alias:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gateway:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session code:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session number:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason (shown to the user):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticket (optional):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. office-pc or jana@10.0.0.7</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a gateway in Settings first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask the user for the session number shown under their code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask the user for the 9-digit code shown in their Podpora window.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type a host name or pick one from your SSH configuration.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConnectErrors</name>
    <message>
        <source>Do not connect. Call the machine&apos;s administrator and compare the fingerprint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect again when you have the fingerprint to compare.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check your key in Settings → Identity, or load it into ssh-agent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the machine is on and connected, then try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask the user to read the code again; they can get a new one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try again. If it keeps failing, run &apos;podpora check HOST&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConsentDialog</name>
    <message>
        <source>See your screen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use your mouse and keyboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy and paste text between your computer and theirs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run checks on your computer (each repair asks you again)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Someone asks to help you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} asks to connect to your computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key fingerprint: {fingerprint}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verified by your organisation: {organisation}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning: this person is NOT verified by your organisation. Only accept if you are sure who they are.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>They ask to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only accept if you contacted your IT support yourself. Nobody from IT will call you out of the blue and ask for this.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You can pause or end the session at any time with the buttons that stay on your screen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accept</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Closes in %n second(s) (that counts as Deny).</source>
        <translation>
            <numerusform>Closes in %n second (that counts as Deny).</numerusform>
            <numerusform>Closes in %n seconds (that counts as Deny).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConsoleWindow</name>
    <message>
        <source>Podpora – Technician console</source>
        <extracomment>Each pending attempt&apos;s cancel event: *Cancel* (or closing the window) sets it, and the SSH layer closes the attempt&apos;s sockets at once instead of waiting out a stalled server.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;End session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First-run &amp;assistant…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No session open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick a machine on the left, or connect with a session code the user reads out to you. The user sees who you are and decides what you may do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting is not available in this build.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to {target}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to {target} was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not connect to {target}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No session</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DemoConsole</name>
    <message>
        <source>Demo finished: the case was delivered and verified; its report is open.</source>
        <extracomment>(event, timeout) -&gt; the user machine&apos;s event of that kind (blocking), e.g. &quot;summary&quot;. Runs the case export&apos;s delivery checks and returns the report to open (blocking). Where to save pictures of the console at the demo&apos;s key moments (the README&apos;s screenshots), if set.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo stopped: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DiagnosticsPanel</name>
    <message>
        <source>Search scripts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run all checks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repair…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnostics are not available in this session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Information</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Installation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repairs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Running %n script(s)…</source>
        <translation>
            <numerusform>Running %n script…</numerusform>
            <numerusform>Running %n scripts…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n check(s) need attention.</source>
        <translation>
            <numerusform>%n check needs attention.</numerusform>
            <numerusform>%n checks need attention.</numerusform>
        </translation>
    </message>
    <message>
        <source>All checks passed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnostics failed: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the user to approve the repair…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user declined the repair. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repair finished. Before and after:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deliver to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticket:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Building the case bundle…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The case was delivered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The export failed: {reason}. It stays in the outbox and is retried.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>Welcome to Podpora</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Three short steps and you are ready for your first session: your name and key, your organisation&apos;s certificate, and (optionally) your ticket system. You can change all of it later in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your identity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Users see this name when you ask to connect.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your name, e.g. Jana Nováková</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create my Ed25519 key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organisation certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With it, users see that your organisation vouches for you. Without it they see a warning.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import the organisation&apos;s certificate…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticket system (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cases go to a folder until you connect a ticket system.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address, e.g. https://helpdesk.example.org</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key created: {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create the key: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate imported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not import the certificate: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HostKeyDialog</name>
    <message>
        <source>Unknown host key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First connection to {host}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Podpora has not seen this machine before. Compare this fingerprint with the one your administrator gave you (or run &apos;ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub&apos; on the machine). Trust it only if they match.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key type: {type}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refuse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trust once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trust and remember</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LiveCharts</name>
    <message>
        <source>CPU: {value:.0f} %</source>
        <extracomment>How many samples each chart keeps (at one sample every 2 s: four minutes).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory: {value:.0f} %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disk (/): {value:.0f} %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Network: {value:.0f} KB/s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <source>Key passphrase</source>
        <extracomment>What the session factory gets to ask the technician with: the shared asker, or one attempt&apos;s (with its cancel).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passphrase for the key {path}:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RatingRow</name>
    <message>
        <source>Poor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Excellent</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RecoveryDialog</name>
    <message>
        <source>Interrupted case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The case {case} from {time} was interrupted. Its record is intact up to the last event.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An incomplete last write will be set aside and kept next to the record.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finish it now: the record is closed with a note that it was recovered after a crash, and you can export it. Or leave it for later: it is offered again the next time the console starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finish and export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finishing the case…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The case was finished.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The case could not be finished: {reason}. It stays as it is.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RepairApprovalDialog</name>
    <message>
        <source>Approve a change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} wants to: {title}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What this changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How to undo it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This needs administrator rights on your computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Closes in %n second(s) (that counts as Decline).</source>
        <translation>
            <numerusform>Closes in %n second (that counts as Decline).</numerusform>
            <numerusform>Closes in %n seconds (that counts as Decline).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReportWindow</name>
    <message>
        <source>Case report – {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open in browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The report could not be read: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SaveEntryDialog</name>
    <message>
        <source>Save a machine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host or alias:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags (separated by spaces):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. office-pc or jana@10.0.0.7</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SessionIndicator</name>
    <message>
        <source>{name} is disconnected and cannot see or control anything. Waiting for them to return…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused: {name} cannot see your screen right now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} can see and control your screen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} can see your screen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is connected but cannot see your screen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Podpora session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take back control</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End session</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SessionTab</name>
    <message>
        <source>Live figures appear here in direct sessions to Linux machines.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnostics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit to window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale the screen to the window; off shows it 1:1 with scrolling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>View only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Special keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send Ctrl+Alt+Del</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send Alt+Tab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send Alt+F4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the Windows/Super key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send Ctrl+Esc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send Print Screen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask for control</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused by the user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the user&apos;s consent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>control</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>diagnostics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allowed: {capabilities}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pairing with the user&apos;s computer…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the user to accept…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user refused. Nothing was shared.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user paused the session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection lost, reconnecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session has ended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the first picture…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{rtt:.0f} ms · {fps:.0f} fps · {kbps:.0f} KB/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monitor {number} ({size})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user took back control.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat •</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user rated this session {rating} out of 5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment: {comment}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user&apos;s computer runs a Wayland desktop session, which cannot be shown yet. Ask the user to log out and choose an Xorg (X11) session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user&apos;s computer has no desktop to show.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user&apos;s screen cannot be reached right now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The screen being shown is gone (a monitor was unplugged or switched off).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clipboard content the user copied while the connection was down was not sent: the user turned clipboard sharing off meanwhile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user&apos;s computer says: {text}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session code was wrong. Ask the user to read it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user ended the session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You ended the session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection was lost.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection was lost and could not be restored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user&apos;s computer no longer has this session (the assist app was closed or restarted).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another computer answered instead of the user&apos;s; the session was closed for safety.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session code expired. Ask the user for the new one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session ended: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asked the user for control.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <extracomment>File names shared with ``podpora case export`` (which signs bundles with the same key).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gateways</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticket system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your name (shown to users):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create my Ed25519 key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public key (send it to your organisation to be certified):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import the organisation&apos;s certificate…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name, e.g. Prague office</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SSH alias or host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User or e-mail:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API key or password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored in the system keyring, never in a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset to the defaults</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click a field and press the new keys; the clear button removes a shortcut. While the remote screen has the keyboard focus, every other key goes to the remote machine; Ctrl+Alt+Del and other keys your own computer would keep are in the session&apos;s Special keys menu.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect to a machine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End the session in front</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{keys} is already the shortcut for “{command}”. Pick other keys.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your key: created.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your key: not created yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organisation certificate: imported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organisation certificate: none. Users will see that you are not verified.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create the key: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organisation certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not import the certificate: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The secret was not stored: there is no system keyring ({reason}).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SudoPasswordAsker</name>
    <message>
        <source>Administrator password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A script needs administrator rights on {host}. Enter your sudo password there:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That password was not accepted. Try again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>Something unexpected went wrong: {0}</source>
        <extracomment>Languages Podpora speaks, in the order the language menus list them. Each language&apos;s own name, shown in menus so people find their language even when the UI is foreign.</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>podpora</name>
    <message>
        <source>The case log could not be saved ({reason}). Remote control is stopped so that nothing happens without a record.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The case log was changed outside Podpora: record {seq} does not verify.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keystrokes are never recorded in the case log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This case log can still be read and exported, but no more events can be added to it: its sealing key is missing or damaged. Start a new case.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The case log cannot be opened with this computer&apos;s key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No {name} is stored for {system}. Store it with `podpora outbox login {system} {name}` (kept in the system keyring) or set {env}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The case-log key file {path} can be read by other users. Fix it with: chmod 600 {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no system keyring to store the {name} for {system}. Set {env} instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The diagnostics settings {source} are invalid at &apos;{key}&apos;: {problem}</source>
        <extracomment>The shipped library per target platform; a catalog holds the scripts of one platform.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The script description {source} is invalid at &apos;{key}&apos;: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The script {source} was refused because {reason}. Nothing was run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key file {path} cannot be used: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The value for &apos;{name}&apos; of the script {script_id} is not accepted: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no verified script called &apos;{script_id}&apos;. See &apos;podpora diag list&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The result file {path} cannot be read: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your organisation&apos;s Podpora settings ({file}) cannot be used: {problem}. Please tell your IT department.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your organisation&apos;s Podpora settings ({file}) have a problem with the setting “{key}”: {problem}. Please tell your IT department.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer uses a Wayland desktop session. Podpora cannot show or control the screen in it yet. Log out and choose an &quot;Xorg&quot; or &quot;X11&quot; session on the login screen, then try again.</source>
        <extracomment>The largest picture the agent sends, per side and in total. The console&apos;s decoder (``app.remote.encode.FrameDecoder``) refuses a screen wider or taller than 8192 px or larger than 8K UHD, and the protocol cannot negotiate other limits yet, so these are fixed; a test keeps them within the decoder&apos;s. A larger monitor (Xvfb allows 16384×16384 and more) is sent downscaled by a whole factor. A downscaled monitor is grabbed and scaled in strips of about this many bytes (at least one block row), so a 16384×16384 screen (1 GiB of BGRA) is never held at full size in the agent: one strip at a time. The whole factor the picture is downscaled by (1: full size); see :func:`downscale_factor`.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no graphical desktop to share here. Start Podpora from inside your desktop session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Podpora cannot reach the desktop display {display}. Start Podpora from inside your desktop session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The shared monitor was disconnected. Choose another monitor.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to the other side was lost ({reason}).</source>
        <extracomment>Largest frame on the wire: the largest message plus the sealing overhead. Longest length header: LEB128 of MAX_FRAME_BYTES (under 2**28) takes four bytes. Before pairing, a peer has proven nothing: its frames (Hello and the SPAKE2 messages) must stay small. Once a frame has started, all of it must arrive within this time (a trickling peer is cut off).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The picture from the other computer arrived damaged, so the connection was closed. Connect again; if it keeps happening, report it.</source>
        <extracomment>Rows are hashed in this many vertical slices. A row belongs to a moved band when all slices but the last match: a scrollbar&apos;s thumb beside the text changes the right edge of the rows next to it, and those rows still moved. The tile diff after the copy resends what the copy got wrong there. (Tolerating any one slice let short lines of a terminal, blank on the right, join bands they did not belong to.)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Podpora cannot control the mouse and keyboard in this desktop session. The technician can still see the screen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OpenSSH&apos;s sshd is not installed. Run scripts/setup (Debian package openssh-server).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session code was not accepted. Check the code and try again.</source>
        <extracomment>Three groups of three digits: 10^9 codes (~30 bits). With 3 attempts per code and SPAKE2 allowing one guess per attempt, a guesser succeeds with probability 3·10⁻⁹ per code shown. Across all codes: after this many failed attempts within the window, pairing locks until the window passes. An attempt still open after this long was abandoned by a connection that never reported back.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection was tampered with or broken; the session was closed for safety.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too many wrong codes. Wait a few minutes and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user is not asking for help right now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session code expired. Ask for the new code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A session code has 9 digits, like 123-456-789.</source>
        <extracomment>A short, non-secret fingerprint of this session (both sides compute the same one), for the journal.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The other side sent something invalid; the session was closed.</source>
        <extracomment>Largest encoded message (one wire frame&apos;s plaintext). Big enough for a full 1920×1080 raw BGRA update (8.3 MB) with room for 4K in two updates; the console&apos;s FrameRequest.max_bytes asks for less. Largest side of a screen or monitor in pixels (Xvfb&apos;s maximum is 16384 too).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your SSH configuration includes itself in a loop ({path}).</source>
        <extracomment>How often a connection attempt that can be cancelled looks at its cancel event.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the SSH configuration file {path}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The SSH configuration file {path} has an error: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The SSH configuration file {path} does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ProxyJump chain to {host} is too long or loops.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The SSH configuration for {host} has an invalid number: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The command on the remote machine did not finish in time.</source>
        <extracomment>Set by another thread to give up: the attempt&apos;s sockets are closed at once and it raises :class:`ConnectCancelled` (instead of waiting out a stalled server&apos;s timeout).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection was lost while the command was running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused to connect to {host}:{port}. Nothing may be listening there, or the server does not allow port forwarding.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The gateway refused to open a port for this session. Ask your IT department to check the gateway key&apos;s permitlisten setting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{host} stopped answering: the connection may be stalled or lost.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{host} did not answer in time. The machine may be off, or a firewall may drop the connection.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{user}@{host} did not accept any of your keys. Check that your key is loaded in ssh-agent or named by IdentityFile, and that the server has your public key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The name {host} could not be found. Check the spelling and your network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{host} refused the connection on port {port}: no SSH server is listening there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{host} cannot be reached: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{host} accepted the connection but its SSH server did not answer in time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The SSH connection to {host} failed: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection attempt was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The jump host could not reach {host} on port {port}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{host} runs an SSH server without protection against the Terrapin attack (strict key exchange). Ask its administrator to update OpenSSH.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The identity of {host} has changed. Someone may be intercepting this connection, or the machine was reinstalled. Podpora will not connect. Check the new fingerprint {fingerprint} with the machine&apos;s administrator by phone or in person; if it is genuine, remove the old entry for {name} from your known_hosts files and connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{host} is not known yet and its key was not accepted. Its fingerprint is {fingerprint}; compare it with the one your administrator gave you before trusting it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The passphrase for the key {path} is not correct.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your private key {path} can be read by other users, so Podpora will not use it. Fix it with: chmod 600 {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This case was recorded with another technician key; export it with that key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{path} contains {key}: credentials belong in the system keyring, not in a file. Remove it and store it with `podpora outbox login`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown ticket system {name}. Known: {known}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{system} unreachable ({detail})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{system} refused the delivery: {detail}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{system} needs the setting {setting}: add it to the [{system}] section of connectors.toml.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delivered to {system}: {url} (it was already there)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delivered to {system}: {url}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed: {error}; fix it, then run `podpora outbox retry`</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting: not yet sent to {system}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting: {error}, next try in {wait}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no delivery {id} in the outbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no case {case_id}. See `podpora case list`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The case {case_id} is open in another console. Close it there first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A case id may contain only letters, digits, dots, dashes and underscores.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The technician key {path} cannot be read. Pass it with --key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The technician key {path} is not a usable Ed25519 key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The technician key {path} is not an Ed25519 key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This case has no ticket reference. Pass one with --ticket.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--trusted-key must be 64 hexadecimal digits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--journal-key must be 64 hexadecimal digits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The passphrase variable {var} is not set.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to the computer was lost: {detail}</source>
        <extracomment>The fixed bootstrap (POSIX sh) that runs the interpreter ``&quot;$@&quot;`` as a child in the new process group: it prints the group id, keeps the script&apos;s stdin (a background job would otherwise get /dev/null), and starts a watchdog that writes one NUL byte to stderr every second; when the connection is gone that write fails and the watchdog kills the whole group, so a lost link leaves no script running on the target. Before that it puts the script into its own cgroup with a ``pids.max`` (:mod:`app.diagnostics.containment`), and whenever the script ends, is stopped (``TERM``, trapped) or loses its link (the watchdog), it kills every process in that cgroup and removes it. The ``TERM`` trap is set only after both subshells are forked: dash can swallow a signal that arrives while a child it forks still carries the parent&apos;s trap (seen here: a watchdog that outlived its bootstrap), and the watchdog is stopped with ``KILL`` for the same reason. With a sudo password the channel&apos;s stdin carries ``password LF``, this marker line, then the body. sudo reads the password a byte at a time; the bootstrap (now root) then drops lines up to the marker, so a password that sudo did not ask for (a NOPASSWD rule) is discarded there and never reaches the interpreter. Checks a sudo password before any script is sent: ``true`` through ``sudo -S`` with the password on stdin. ``-k`` ignores cached credentials, so a wrong password is always noticed here, not in the middle of a run.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This technician is NOT verified by your organisation. Only accept if you contacted IT yourself.</source>
        <extracomment>Clock difference between the organisation&apos;s signing machine and the user&apos;s machine that is tolerated. Plain-language templates the UI translates (the reason strings below are English technical detail).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verified: {name}, {team}, {org}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{detail}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The unattended-access policy cannot be used: {reason}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Xvfb is not installed. Run scripts/setup (Debian package xvfb).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The virtual display could not be started: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo stopped: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo stopped at this step: {step}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Viewing the screen is not allowed right now.</source>
        <extracomment>The largest message either side accepts (a send_local message may be a whole protocol message). The longest the protocol process waits for the broker (a grab, the monitor list) before giving up. How long the protocol process gets to start, confine itself and say it is ready. After a stop, how long the protocol process gets to say goodbye before it is killed. The longest change wait the broker carries out for the protocol process. Input the protocol process sent that the gate dropped (for the log and the tests).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The part of Podpora that talks to the technician stopped unexpectedly. Ask for help again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Podpora could not start its connection process: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
