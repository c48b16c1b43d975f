<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="cs_CZ">
<context>
    <name>AddressBookPanel</name>
    <message>
        <source>Machines</source>
        <extracomment>How long closing a case waits for the session&apos;s last calls (a chat line, the goodbye) to be recorded.</extracomment>
        <translation>Počítače</translation>
    </message>
    <message>
        <source>Search by name, host or tag</source>
        <translation>Hledat podle názvu, hostitele nebo štítku</translation>
    </message>
    <message>
        <source>Connect…</source>
        <translation>Připojit…</translation>
    </message>
    <message>
        <source>Tags…</source>
        <translation>Štítky…</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Přidat…</translation>
    </message>
    <message>
        <source>recent</source>
        <translation>nedávno</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Štítky</translation>
    </message>
    <message>
        <source>Tags for {name}, separated by spaces:</source>
        <translation>Štítky pro {name}, oddělené mezerami:</translation>
    </message>
</context>
<context>
    <name>AssistWindow</name>
    <message>
        <source>Podpora – Get help</source>
        <translation>Podpora – Získat pomoc</translation>
    </message>
    <message>
        <source>Get help from your IT support</source>
        <translation>Získejte pomoc od svého IT oddělení</translation>
    </message>
    <message>
        <source>Press the button below. You will get a short code to read out to your technician. Nothing is shared until you agree.</source>
        <translation>Stiskněte tlačítko níže. Dostanete krátký kód, který přečtete svému technikovi. Dokud nesouhlasíte, nic se nesdílí.</translation>
    </message>
    <message>
        <source>Get help</source>
        <translation>Získat pomoc</translation>
    </message>
    <message>
        <source>Check my computer</source>
        <translation>Zkontrolovat můj počítač</translation>
    </message>
    <message>
        <source>Runs a few quick checks here on your computer and explains what it finds. Nothing is sent.</source>
        <translation>Provede na vašem počítači několik rychlých kontrol a vysvětlí, co zjistí. Nic se neodesílá.</translation>
    </message>
    <message>
        <source>Read this code to your technician</source>
        <translation>Přečtěte tento kód svému technikovi</translation>
    </message>
    <message>
        <source>What happens next: your technician types the code. Then you see who they are and what they ask for, and you decide. You can end the session at any time.</source>
        <translation>Co bude dál: technik zadá kód. Pak uvidíte, kdo to je a o co žádá, a rozhodnete vy. Relaci můžete kdykoli ukončit.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Zrušit</translation>
    </message>
    <message>
        <source>Session number: {number}</source>
        <translation>Číslo relace: {number}</translation>
    </message>
    <message>
        <source>You are being helped</source>
        <translation>Právě vám pomáháme</translation>
    </message>
    <message>
        <source>The session has ended</source>
        <translation>Relace skončila</translation>
    </message>
    <message>
        <source>Anything you want to add (optional)</source>
        <translation>Chcete něco dodat? (nepovinné)</translation>
    </message>
    <message>
        <source>Save a copy…</source>
        <translation>Uložit kopii…</translation>
    </message>
    <message>
        <source>Send rating</source>
        <translation>Odeslat hodnocení</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Zpět</translation>
    </message>
    <message>
        <source>You approved a change.</source>
        <translation>Schválili jste změnu.</translation>
    </message>
    <message>
        <source>You declined a change.</source>
        <translation>Odmítli jste změnu.</translation>
    </message>
    <message>
        <source>{name} made a change on your computer and approved it themselves: {title}</source>
        <translation>Změnu na vašem počítači provedl(a) a sám/sama schválil(a) {name}: {title}</translation>
    </message>
    <message numerus="yes">
        <source>{name} helped you for %n minute(s).</source>
        <translation>
            <numerusform>{name} vám pomáhal(a) %n minutu.</numerusform>
            <numerusform>{name} vám pomáhal(a) %n minuty.</numerusform>
            <numerusform>{name} vám pomáhal(a) %n minut.</numerusform>
        </translation>
    </message>
    <message>
        <source>Case: {reference}</source>
        <translation>Případ: {reference}</translation>
    </message>
    <message>
        <source>What was done:</source>
        <translation>Co se udělalo:</translation>
    </message>
    <message>
        <source>approved by you</source>
        <translation>schváleno vámi</translation>
    </message>
    <message>
        <source>approved by {name}, not by you</source>
        <translation>schválil(a) {name}, ne vy</translation>
    </message>
    <message>
        <source>To undo: {undo}</source>
        <translation>Vrácení zpět: {undo}</translation>
    </message>
    <message>
        <source>Nothing on your computer was changed.</source>
        <translation>Na vašem počítači se nic nezměnilo.</translation>
    </message>
    <message>
        <source>You rated this session {rating} out of 5.</source>
        <translation>Tuto relaci jste ohodnotili {rating} z 5.</translation>
    </message>
    <message>
        <source>This code has expired. Press Cancel and ask for a new one.</source>
        <translation>Platnost kódu vypršela. Stiskněte Zrušit a požádejte o nový.</translation>
    </message>
    <message>
        <source>The code is valid for {minutes}:{seconds:02d} more.</source>
        <translation>Kód platí ještě {minutes}:{seconds:02d}.</translation>
    </message>
    <message>
        <source>Waiting for your technician to enter the code…</source>
        <translation>Čekáme, až technik zadá kód…</translation>
    </message>
    <message>
        <source>Your technician is connecting…</source>
        <translation>Technik se připojuje…</translation>
    </message>
    <message>
        <source>Your technician is connected. Please answer the question on your screen.</source>
        <translation>Technik je připojen. Odpovězte prosím na otázku na obrazovce.</translation>
    </message>
    <message>
        <source>You refused. Nothing was shared. You can close this window.</source>
        <translation>Odmítli jste. Nic nebylo sdíleno. Toto okno můžete zavřít.</translation>
    </message>
    <message>
        <source>Your technician</source>
        <translation>Váš technik</translation>
    </message>
    <message>
        <source>{name} is disconnected and cannot see or control anything. Waiting for them to return…</source>
        <translation>{name}: spojení je přerušeno, nic nevidí ani neovládá. Čekáme na opětovné připojení…</translation>
    </message>
    <message>
        <source>The session is paused. {name} cannot see your screen.</source>
        <translation>Relace je pozastavena. {name} nevidí vaši obrazovku.</translation>
    </message>
    <message>
        <source>{name} can see your screen and use your mouse and keyboard.</source>
        <translation>{name} vidí vaši obrazovku a může používat vaši myš a klávesnici.</translation>
    </message>
    <message>
        <source>{name} can see your screen.</source>
        <translation>{name} vidí vaši obrazovku.</translation>
    </message>
    <message>
        <source>{name} is connected. You can chat here.</source>
        <translation>{name} je připojen(a). Můžete si tu psát.</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>V pořádku</translation>
    </message>
    <message>
        <source>Worth a look</source>
        <translation>Stojí za pozornost</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problém</translation>
    </message>
    <message>
        <source>Could not check</source>
        <translation>Nelze zkontrolovat</translation>
    </message>
    <message>
        <source>Checking your computer… this takes a few seconds.</source>
        <translation>Kontrolujeme váš počítač… potrvá to několik sekund.</translation>
    </message>
    <message numerus="yes">
        <source>Found %n thing(s) worth a look.</source>
        <translation>
            <numerusform>Našli jsme %n věc, která stojí za pozornost.</numerusform>
            <numerusform>Našli jsme %n věci, které stojí za pozornost.</numerusform>
            <numerusform>Našli jsme %n věcí, které stojí za pozornost.</numerusform>
        </translation>
    </message>
    <message>
        <source>Everything we checked looks fine.</source>
        <translation>Vše, co jsme zkontrolovali, vypadá v pořádku.</translation>
    </message>
    <message>
        <source>The check could not run: {detail}</source>
        <translation>Kontrolu nebylo možné spustit: {detail}</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Vy</translation>
    </message>
    <message>
        <source>Thank you! Your rating was sent.</source>
        <translation>Děkujeme! Vaše hodnocení bylo odesláno.</translation>
    </message>
    <message>
        <source>When your technician is done: how helpful was this session? Your rating goes into the case.</source>
        <translation>Až technik skončí: jak vám tato relace pomohla? Vaše hodnocení se zapíše do případu.</translation>
    </message>
    <message>
        <source>Save a copy</source>
        <translation>Uložit kopii</translation>
    </message>
    <message>
        <source>Text (*.txt)</source>
        <translation>Text (*.txt)</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>Uloženo do {path}</translation>
    </message>
    <message>
        <source>Could not save the copy: {detail}</source>
        <translation>Kopii se nepodařilo uložit: {detail}</translation>
    </message>
</context>
<context>
    <name>CasePanel</name>
    <message>
        <source>Ticket:</source>
        <translation>Požadavek:</translation>
    </message>
    <message>
        <source>e.g. RM-1234</source>
        <translation>např. RM-1234</translation>
    </message>
    <message>
        <source>The user&apos;s description of the problem:</source>
        <translation>Popis problému od uživatele:</translation>
    </message>
    <message>
        <source>Add a note to the case</source>
        <translation>Přidat poznámku k případu</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>Přidat poznámku</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>Časová osa</translation>
    </message>
    <message>
        <source>Export case…</source>
        <translation>Exportovat případ…</translation>
    </message>
    <message>
        <source>Could not save: {reason}</source>
        <translation>Nepodařilo se uložit: {reason}</translation>
    </message>
    <message>
        <source>Note: {text}</source>
        <translation>Poznámka: {text}</translation>
    </message>
    <message>
        <source>Note saved.</source>
        <translation>Poznámka uložena.</translation>
    </message>
    <message>
        <source>Description saved.</source>
        <translation>Popis uložen.</translation>
    </message>
    <message>
        <source>Ticket saved.</source>
        <translation>Požadavek uložen.</translation>
    </message>
</context>
<context>
    <name>ChatWidget</name>
    <message>
        <source>Type a message</source>
        <extracomment>Longest message accepted from the keyboard; the protocol enforces its own limit too.</extracomment>
        <translation>Napište zprávu</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Odeslat</translation>
    </message>
</context>
<context>
    <name>ConnectDialog</name>
    <message>
        <source>Connect</source>
        <extracomment>The technician&apos;s answers, with the same values as ``app.remote.ssh.HostKeyDecision``.</extracomment>
        <translation>Připojit</translation>
    </message>
    <message>
        <source>Directly (SSH to the machine)</source>
        <translation>Přímo (SSH na počítač)</translation>
    </message>
    <message>
        <source>Through a gateway (session code)</source>
        <translation>Přes bránu (kód relace)</translation>
    </message>
    <message>
        <source>Host or alias:</source>
        <translation>Hostitel nebo alias:</translation>
    </message>
    <message>
        <source>Gateway:</source>
        <translation>Brána:</translation>
    </message>
    <message>
        <source>Session code:</source>
        <translation>Kód relace:</translation>
    </message>
    <message>
        <source>Session number:</source>
        <translation>Číslo relace:</translation>
    </message>
    <message>
        <source>Reason (shown to the user):</source>
        <translation>Důvod (uvidí ho uživatel):</translation>
    </message>
    <message>
        <source>Ticket (optional):</source>
        <translation>Požadavek (nepovinné):</translation>
    </message>
    <message>
        <source>e.g. office-pc or jana@10.0.0.7</source>
        <translation>např. office-pc nebo jana@10.0.0.7</translation>
    </message>
    <message>
        <source>Add a gateway in Settings first.</source>
        <translation>Nejprve přidejte bránu v Nastavení.</translation>
    </message>
    <message>
        <source>Ask the user for the session number shown under their code.</source>
        <translation>Požádejte uživatele o číslo relace zobrazené pod jeho kódem.</translation>
    </message>
    <message>
        <source>Ask the user for the 9-digit code shown in their Podpora window.</source>
        <translation>Požádejte uživatele o devítimístný kód z jeho okna Podpory.</translation>
    </message>
    <message>
        <source>Type a host name or pick one from your SSH configuration.</source>
        <translation>Zadejte název hostitele nebo ho vyberte z konfigurace SSH.</translation>
    </message>
</context>
<context>
    <name>ConnectErrors</name>
    <message>
        <source>Do not connect. Call the machine&apos;s administrator and compare the fingerprint.</source>
        <translation>Nepřipojujte se. Zavolejte správci počítače a porovnejte otisk klíče.</translation>
    </message>
    <message>
        <source>Connect again when you have the fingerprint to compare.</source>
        <translation>Připojte se znovu, až budete mít otisk k porovnání.</translation>
    </message>
    <message>
        <source>Check your key in Settings → Identity, or load it into ssh-agent.</source>
        <translation>Zkontrolujte svůj klíč v Nastavení → Identita nebo ho načtěte do ssh-agenta.</translation>
    </message>
    <message>
        <source>Check that the machine is on and connected, then try again.</source>
        <translation>Ověřte, že je počítač zapnutý a připojený, a zkuste to znovu.</translation>
    </message>
    <message>
        <source>Ask the user to read the code again; they can get a new one.</source>
        <translation>Požádejte uživatele, aby kód přečetl znovu; může si vyžádat nový.</translation>
    </message>
    <message>
        <source>Try again. If it keeps failing, run &apos;podpora check HOST&apos;.</source>
        <translation>Zkuste to znovu. Pokud to stále selhává, spusťte &apos;podpora check HOST&apos;.</translation>
    </message>
</context>
<context>
    <name>ConsentDialog</name>
    <message>
        <source>See your screen</source>
        <translation>Vidět vaši obrazovku</translation>
    </message>
    <message>
        <source>Use your mouse and keyboard</source>
        <translation>Používat vaši myš a klávesnici</translation>
    </message>
    <message>
        <source>Copy and paste text between your computer and theirs</source>
        <translation>Kopírovat a vkládat text mezi vaším a jeho počítačem</translation>
    </message>
    <message>
        <source>Run checks on your computer (each repair asks you again)</source>
        <translation>Spouštět kontroly na vašem počítači (na každou opravu se vás zeptáme znovu)</translation>
    </message>
    <message>
        <source>Someone asks to help you</source>
        <translation>Někdo vám chce pomoci</translation>
    </message>
    <message>
        <source>{name} asks to connect to your computer</source>
        <translation>{name} žádá o připojení k vašemu počítači</translation>
    </message>
    <message>
        <source>Key fingerprint: {fingerprint}</source>
        <translation>Otisk klíče: {fingerprint}</translation>
    </message>
    <message>
        <source>Verified by your organisation: {organisation}</source>
        <translation>Ověřeno vaší organizací: {organisation}</translation>
    </message>
    <message>
        <source>Warning: this person is NOT verified by your organisation. Only accept if you are sure who they are.</source>
        <translation>Pozor: tato osoba NENÍ ověřena vaší organizací. Přijměte jen tehdy, pokud víte jistě, kdo to je.</translation>
    </message>
    <message>
        <source>Reason: {reason}</source>
        <translation>Důvod: {reason}</translation>
    </message>
    <message>
        <source>They ask to:</source>
        <translation>Žádá o:</translation>
    </message>
    <message>
        <source>Only accept if you contacted your IT support yourself. Nobody from IT will call you out of the blue and ask for this.</source>
        <translation>Přijměte jen tehdy, pokud jste IT podporu kontaktovali sami. Nikdo z IT vám nezavolá nečekaně a nebude o to žádat.</translation>
    </message>
    <message>
        <source>You can pause or end the session at any time with the buttons that stay on your screen.</source>
        <translation>Relaci můžete kdykoli pozastavit nebo ukončit tlačítky, která zůstanou na obrazovce.</translation>
    </message>
    <message>
        <source>Deny</source>
        <translation>Odmítnout</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>Přijmout</translation>
    </message>
    <message numerus="yes">
        <source>Closes in %n second(s) (that counts as Deny).</source>
        <translation>
            <numerusform>Zavře se za %n sekundu (to znamená odmítnutí).</numerusform>
            <numerusform>Zavře se za %n sekundy (to znamená odmítnutí).</numerusform>
            <numerusform>Zavře se za %n sekund (to znamená odmítnutí).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConsoleWindow</name>
    <message>
        <source>Podpora – Technician console</source>
        <extracomment>Each pending attempt&apos;s cancel event: *Cancel* (or closing the window) sets it, and the SSH layer closes the attempt&apos;s sockets at once instead of waiting out a stalled server.</extracomment>
        <translation>Podpora – Konzole technika</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>&amp;Relace</translation>
    </message>
    <message>
        <source>&amp;Connect…</source>
        <translation>&amp;Připojit…</translation>
    </message>
    <message>
        <source>&amp;End session</source>
        <translation>&amp;Ukončit relaci</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Konec</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Nástroje</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Nastavení…</translation>
    </message>
    <message>
        <source>First-run &amp;assistant…</source>
        <translation>&amp;Průvodce prvním spuštěním…</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Jazyk</translation>
    </message>
    <message>
        <source>No session open</source>
        <translation>Žádná otevřená relace</translation>
    </message>
    <message>
        <source>Pick a machine on the left, or connect with a session code the user reads out to you. The user sees who you are and decides what you may do.</source>
        <translation>Vyberte počítač vlevo nebo se připojte pomocí kódu relace, který vám uživatel přečte. Uživatel uvidí, kdo jste, a rozhodne, co smíte dělat.</translation>
    </message>
    <message>
        <source>Connect…</source>
        <translation>Připojit…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Zrušit</translation>
    </message>
    <message>
        <source>Connecting is not available in this build.</source>
        <translation>Připojení není v tomto sestavení k dispozici.</translation>
    </message>
    <message>
        <source>Connecting to {target}…</source>
        <translation>Připojování k {target}…</translation>
    </message>
    <message>
        <source>Connecting to {target} was cancelled.</source>
        <translation>Připojování k {target} bylo zrušeno.</translation>
    </message>
    <message>
        <source>Could not connect to {target}</source>
        <translation>Nepodařilo se připojit k {target}</translation>
    </message>
    <message>
        <source>No session</source>
        <translation>Žádná relace</translation>
    </message>
</context>
<context>
    <name>DemoConsole</name>
    <message>
        <source>Demo finished: the case was delivered and verified; its report is open.</source>
        <extracomment>(event, timeout) -&gt; the user machine&apos;s event of that kind (blocking), e.g. &quot;summary&quot;. Runs the case export&apos;s delivery checks and returns the report to open (blocking). Where to save pictures of the console at the demo&apos;s key moments (the README&apos;s screenshots), if set.</extracomment>
        <translation>Ukázka skončila: případ byl doručen a ověřen; jeho zpráva je otevřená.</translation>
    </message>
    <message>
        <source>The demo stopped: {reason}</source>
        <translation>Ukázka se zastavila: {reason}</translation>
    </message>
</context>
<context>
    <name>DiagnosticsPanel</name>
    <message>
        <source>Search scripts</source>
        <translation>Hledat skripty</translation>
    </message>
    <message>
        <source>Run selected</source>
        <translation>Spustit vybrané</translation>
    </message>
    <message>
        <source>Run all checks</source>
        <translation>Spustit všechny kontroly</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Stav</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Kontrola</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>Zjištění</translation>
    </message>
    <message>
        <source>Repair…</source>
        <translation>Opravit…</translation>
    </message>
    <message>
        <source>Diagnostics are not available in this session.</source>
        <translation>Diagnostika není v této relaci k dispozici.</translation>
    </message>
    <message>
        <source>Information</source>
        <translation>Informace</translation>
    </message>
    <message>
        <source>Installation</source>
        <translation>Instalace</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>Konfigurace</translation>
    </message>
    <message>
        <source>Repairs</source>
        <translation>Opravy</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>V pořádku</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Varování</translation>
    </message>
    <message>
        <source>Fail</source>
        <translation>Selhání</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Chyba</translation>
    </message>
    <message numerus="yes">
        <source>Running %n script(s)…</source>
        <translation>
            <numerusform>Běží %n skript…</numerusform>
            <numerusform>Běží %n skripty…</numerusform>
            <numerusform>Běží %n skriptů…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n check(s) need attention.</source>
        <translation>
            <numerusform>%n kontrola vyžaduje pozornost.</numerusform>
            <numerusform>%n kontroly vyžadují pozornost.</numerusform>
            <numerusform>%n kontrol vyžaduje pozornost.</numerusform>
        </translation>
    </message>
    <message>
        <source>All checks passed.</source>
        <translation>Všechny kontroly prošly.</translation>
    </message>
    <message>
        <source>Diagnostics failed: {reason}</source>
        <translation>Diagnostika selhala: {reason}</translation>
    </message>
    <message>
        <source>Waiting for the user to approve the repair…</source>
        <translation>Čekáme, až uživatel opravu schválí…</translation>
    </message>
    <message>
        <source>The user declined the repair. Nothing was changed.</source>
        <translation>Uživatel opravu odmítl. Nic se nezměnilo.</translation>
    </message>
    <message>
        <source>Repair finished. Before and after:</source>
        <translation>Oprava dokončena. Před a po:</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export case</source>
        <translation>Export případu</translation>
    </message>
    <message>
        <source>Deliver to:</source>
        <translation>Doručit do:</translation>
    </message>
    <message>
        <source>Ticket:</source>
        <translation>Požadavek:</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportovat</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Zavřít</translation>
    </message>
    <message>
        <source>Building the case bundle…</source>
        <translation>Sestavuje se balíček případu…</translation>
    </message>
    <message>
        <source>The case was delivered.</source>
        <translation>Případ byl doručen.</translation>
    </message>
    <message>
        <source>The export failed: {reason}. It stays in the outbox and is retried.</source>
        <translation>Export selhal: {reason}. Zůstává ve frontě k odeslání a zkusí se znovu.</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>Welcome to Podpora</source>
        <translation>Vítejte v Podpoře</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Vítejte</translation>
    </message>
    <message>
        <source>Three short steps and you are ready for your first session: your name and key, your organisation&apos;s certificate, and (optionally) your ticket system. You can change all of it later in Settings.</source>
        <translation>Tři krátké kroky a jste připraveni na první relaci: vaše jméno a klíč, certifikát vaší organizace a (volitelně) systém požadavků. Vše můžete později změnit v Nastavení.</translation>
    </message>
    <message>
        <source>Your identity</source>
        <translation>Vaše identita</translation>
    </message>
    <message>
        <source>Users see this name when you ask to connect.</source>
        <translation>Uživatelé uvidí toto jméno, když požádáte o připojení.</translation>
    </message>
    <message>
        <source>Your name, e.g. Jana Nováková</source>
        <translation>Vaše jméno, např. Jana Nováková</translation>
    </message>
    <message>
        <source>Create my Ed25519 key</source>
        <translation>Vytvořit můj klíč Ed25519</translation>
    </message>
    <message>
        <source>Organisation certificate</source>
        <translation>Certifikát organizace</translation>
    </message>
    <message>
        <source>With it, users see that your organisation vouches for you. Without it they see a warning.</source>
        <translation>Díky němu uživatelé vidí, že se za vás vaše organizace zaručuje. Bez něj uvidí varování.</translation>
    </message>
    <message>
        <source>Import the organisation&apos;s certificate…</source>
        <translation>Importovat certifikát organizace…</translation>
    </message>
    <message>
        <source>Ticket system (optional)</source>
        <translation>Systém požadavků (volitelné)</translation>
    </message>
    <message>
        <source>Cases go to a folder until you connect a ticket system.</source>
        <translation>Dokud nepřipojíte systém požadavků, ukládají se případy do složky.</translation>
    </message>
    <message>
        <source>Address, e.g. https://helpdesk.example.org</source>
        <translation>Adresa, např. https://helpdesk.example.org</translation>
    </message>
    <message>
        <source>Key created: {path}</source>
        <translation>Klíč vytvořen: {path}</translation>
    </message>
    <message>
        <source>Could not create the key: {reason}</source>
        <translation>Klíč se nepodařilo vytvořit: {reason}</translation>
    </message>
    <message>
        <source>Certificate imported.</source>
        <translation>Certifikát importován.</translation>
    </message>
    <message>
        <source>Could not import the certificate: {reason}</source>
        <translation>Certifikát se nepodařilo importovat: {reason}</translation>
    </message>
</context>
<context>
    <name>HostKeyDialog</name>
    <message>
        <source>Unknown host key</source>
        <translation>Neznámý klíč hostitele</translation>
    </message>
    <message>
        <source>First connection to {host}</source>
        <translation>První připojení k {host}</translation>
    </message>
    <message>
        <source>Podpora has not seen this machine before. Compare this fingerprint with the one your administrator gave you (or run &apos;ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub&apos; on the machine). Trust it only if they match.</source>
        <translation>Podpora se k tomuto počítači ještě nepřipojovala. Porovnejte tento otisk s otiskem od správce (nebo na počítači spusťte &apos;ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub&apos;). Důvěřujte mu, jen pokud se shodují.</translation>
    </message>
    <message>
        <source>Key type: {type}</source>
        <translation>Typ klíče: {type}</translation>
    </message>
    <message>
        <source>Refuse</source>
        <translation>Odmítnout</translation>
    </message>
    <message>
        <source>Trust once</source>
        <translation>Důvěřovat jednou</translation>
    </message>
    <message>
        <source>Trust and remember</source>
        <translation>Důvěřovat a zapamatovat</translation>
    </message>
</context>
<context>
    <name>LiveCharts</name>
    <message>
        <source>CPU: {value:.0f} %</source>
        <extracomment>How many samples each chart keeps (at one sample every 2 s: four minutes).</extracomment>
        <translation>Procesor: {value:.0f} %</translation>
    </message>
    <message>
        <source>Memory: {value:.0f} %</source>
        <translation>Paměť: {value:.0f} %</translation>
    </message>
    <message>
        <source>Disk (/): {value:.0f} %</source>
        <translation>Disk (/): {value:.0f} %</translation>
    </message>
    <message>
        <source>Network: {value:.0f} KB/s</source>
        <translation>Síť: {value:.0f} KB/s</translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <source>Key passphrase</source>
        <extracomment>What the session factory gets to ask the technician with: the shared asker, or one attempt&apos;s (with its cancel).</extracomment>
        <translation>Heslo ke klíči</translation>
    </message>
    <message>
        <source>Passphrase for the key {path}:</source>
        <translation>Heslo ke klíči {path}:</translation>
    </message>
</context>
<context>
    <name>RatingRow</name>
    <message>
        <source>Poor</source>
        <translation>Špatně</translation>
    </message>
    <message>
        <source>Excellent</source>
        <translation>Výborně</translation>
    </message>
</context>
<context>
    <name>RecoveryDialog</name>
    <message>
        <source>Interrupted case</source>
        <translation>Přerušený případ</translation>
    </message>
    <message>
        <source>The case {case} from {time} was interrupted. Its record is intact up to the last event.</source>
        <translation>Případ {case} z {time} byl přerušen. Jeho záznam je neporušený až do poslední události.</translation>
    </message>
    <message>
        <source>An incomplete last write will be set aside and kept next to the record.</source>
        <translation>Neúplný poslední zápis bude odložen a uložen vedle záznamu.</translation>
    </message>
    <message>
        <source>Finish it now: the record is closed with a note that it was recovered after a crash, and you can export it. Or leave it for later: it is offered again the next time the console starts.</source>
        <translation>Dokončete ho hned: záznam se uzavře s poznámkou, že byl obnoven po pádu, a můžete ho exportovat. Nebo ho nechte na později: nabídne se znovu při příštím spuštění konzole.</translation>
    </message>
    <message>
        <source>Finish and export…</source>
        <translation>Dokončit a exportovat…</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>Později</translation>
    </message>
    <message>
        <source>Finishing the case…</source>
        <translation>Dokončuji případ…</translation>
    </message>
    <message>
        <source>The case was finished.</source>
        <translation>Případ byl dokončen.</translation>
    </message>
    <message>
        <source>The case could not be finished: {reason}. It stays as it is.</source>
        <translation>Případ se nepodařilo dokončit: {reason}. Zůstává, jak je.</translation>
    </message>
</context>
<context>
    <name>RepairApprovalDialog</name>
    <message>
        <source>Approve a change</source>
        <translation>Schválení změny</translation>
    </message>
    <message>
        <source>{name} wants to: {title}</source>
        <translation>{name} chce: {title}</translation>
    </message>
    <message>
        <source>What this changes</source>
        <translation>Co se tím změní</translation>
    </message>
    <message>
        <source>How to undo it</source>
        <translation>Jak to vrátit zpět</translation>
    </message>
    <message>
        <source>This needs administrator rights on your computer.</source>
        <translation>K tomu jsou potřeba práva správce vašeho počítače.</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Odmítnout</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Schválit</translation>
    </message>
    <message numerus="yes">
        <source>Closes in %n second(s) (that counts as Decline).</source>
        <translation>
            <numerusform>Zavře se za %n sekundu (to znamená odmítnutí).</numerusform>
            <numerusform>Zavře se za %n sekundy (to znamená odmítnutí).</numerusform>
            <numerusform>Zavře se za %n sekund (to znamená odmítnutí).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReportWindow</name>
    <message>
        <source>Case report – {name}</source>
        <translation>Zpráva o případu – {name}</translation>
    </message>
    <message>
        <source>Open in browser</source>
        <translation>Otevřít v prohlížeči</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Zavřít</translation>
    </message>
    <message>
        <source>The report could not be read: {reason}</source>
        <translation>Zprávu se nepodařilo přečíst: {reason}</translation>
    </message>
</context>
<context>
    <name>SaveEntryDialog</name>
    <message>
        <source>Save a machine</source>
        <translation>Uložit počítač</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Název:</translation>
    </message>
    <message>
        <source>Host or alias:</source>
        <translation>Hostitel nebo alias:</translation>
    </message>
    <message>
        <source>Tags (separated by spaces):</source>
        <translation>Štítky (oddělené mezerami):</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>Poznámka:</translation>
    </message>
    <message>
        <source>e.g. office-pc or jana@10.0.0.7</source>
        <translation>např. office-pc nebo jana@10.0.0.7</translation>
    </message>
</context>
<context>
    <name>SessionIndicator</name>
    <message>
        <source>{name} is disconnected and cannot see or control anything. Waiting for them to return…</source>
        <translation>{name}: spojení je přerušeno, nic nevidí ani neovládá. Čekáme na opětovné připojení…</translation>
    </message>
    <message>
        <source>Paused: {name} cannot see your screen right now</source>
        <translation>Pozastaveno: {name} teď nevidí vaši obrazovku</translation>
    </message>
    <message>
        <source>{name} can see and control your screen</source>
        <translation>{name} vidí a ovládá vaši obrazovku</translation>
    </message>
    <message>
        <source>{name} can see your screen</source>
        <translation>{name} vidí vaši obrazovku</translation>
    </message>
    <message>
        <source>{name} is connected but cannot see your screen</source>
        <translation>{name} je připojen(a), ale nevidí vaši obrazovku</translation>
    </message>
    <message>
        <source>Podpora session</source>
        <translation>Relace Podpory</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Pokračovat</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pozastavit</translation>
    </message>
    <message>
        <source>Take back control</source>
        <translation>Převzít ovládání zpět</translation>
    </message>
    <message>
        <source>End session</source>
        <translation>Ukončit relaci</translation>
    </message>
</context>
<context>
    <name>SessionTab</name>
    <message>
        <source>Live figures appear here in direct sessions to Linux machines.</source>
        <translation>Živé hodnoty se zde zobrazují v přímých relacích s počítači s Linuxem.</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message>
        <source>Diagnostics</source>
        <translation>Diagnostika</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>Případ</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Živě</translation>
    </message>
    <message>
        <source>Fit to window</source>
        <translation>Přizpůsobit oknu</translation>
    </message>
    <message>
        <source>Scale the screen to the window; off shows it 1:1 with scrolling</source>
        <translation>Přizpůsobí obrazovku velikosti okna; vypnuto zobrazí 1:1 s posuvníky</translation>
    </message>
    <message>
        <source>View only</source>
        <translation>Jen sledovat</translation>
    </message>
    <message>
        <source>Special keys</source>
        <translation>Speciální klávesy</translation>
    </message>
    <message>
        <source>Send Ctrl+Alt+Del</source>
        <translation>Poslat Ctrl+Alt+Del</translation>
    </message>
    <message>
        <source>Send Alt+Tab</source>
        <translation>Poslat Alt+Tab</translation>
    </message>
    <message>
        <source>Send Alt+F4</source>
        <translation>Poslat Alt+F4</translation>
    </message>
    <message>
        <source>Send the Windows/Super key</source>
        <translation>Poslat klávesu Windows/Super</translation>
    </message>
    <message>
        <source>Send Ctrl+Esc</source>
        <translation>Poslat Ctrl+Esc</translation>
    </message>
    <message>
        <source>Send Print Screen</source>
        <translation>Poslat Print Screen</translation>
    </message>
    <message>
        <source>Ask for control</source>
        <translation>Požádat o ovládání</translation>
    </message>
    <message>
        <source>End session</source>
        <translation>Ukončit relaci</translation>
    </message>
    <message>
        <source>Session ended</source>
        <translation>Relace skončila</translation>
    </message>
    <message>
        <source>Paused by the user</source>
        <translation>Pozastaveno uživatelem</translation>
    </message>
    <message>
        <source>Waiting for the user&apos;s consent</source>
        <translation>Čeká se na souhlas uživatele</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Odmítnuto</translation>
    </message>
    <message>
        <source>view</source>
        <translation>sledování</translation>
    </message>
    <message>
        <source>control</source>
        <translation>ovládání</translation>
    </message>
    <message>
        <source>clipboard</source>
        <translation>schránka</translation>
    </message>
    <message>
        <source>diagnostics</source>
        <translation>diagnostika</translation>
    </message>
    <message>
        <source>Allowed: {capabilities}</source>
        <translation>Povoleno: {capabilities}</translation>
    </message>
    <message>
        <source>Pairing with the user&apos;s computer…</source>
        <translation>Párování s počítačem uživatele…</translation>
    </message>
    <message>
        <source>Waiting for the user to accept…</source>
        <translation>Čeká se, až uživatel přijme…</translation>
    </message>
    <message>
        <source>The user refused. Nothing was shared.</source>
        <translation>Uživatel odmítl. Nic nebylo sdíleno.</translation>
    </message>
    <message>
        <source>The user paused the session.</source>
        <translation>Uživatel relaci pozastavil.</translation>
    </message>
    <message>
        <source>Connection lost, reconnecting…</source>
        <translation>Spojení bylo ztraceno, obnovuje se…</translation>
    </message>
    <message>
        <source>The session has ended.</source>
        <translation>Relace skončila.</translation>
    </message>
    <message>
        <source>Waiting for the first picture…</source>
        <translation>Čeká se na první obraz…</translation>
    </message>
    <message>
        <source>{rtt:.0f} ms · {fps:.0f} fps · {kbps:.0f} KB/s</source>
        <translation>{rtt:.0f} ms · {fps:.0f} sn./s · {kbps:.0f} KB/s</translation>
    </message>
    <message>
        <source>Monitor {number} ({size})</source>
        <translation>Monitor {number} ({size})</translation>
    </message>
    <message>
        <source>The user took back control.</source>
        <translation>Uživatel převzal ovládání zpět.</translation>
    </message>
    <message>
        <source>Reconnected</source>
        <translation>Spojení obnoveno</translation>
    </message>
    <message>
        <source>Chat •</source>
        <translation>Chat •</translation>
    </message>
    <message>
        <source>The user rated this session {rating} out of 5.</source>
        <translation>Uživatel ohodnotil tuto relaci {rating} z 5.</translation>
    </message>
    <message>
        <source>Comment: {comment}</source>
        <translation>Komentář: {comment}</translation>
    </message>
    <message>
        <source>The user&apos;s computer runs a Wayland desktop session, which cannot be shown yet. Ask the user to log out and choose an Xorg (X11) session.</source>
        <translation>Počítač uživatele používá relaci Wayland, kterou zatím nelze zobrazit. Požádejte uživatele, aby se odhlásil a na přihlašovací obrazovce zvolil relaci Xorg (X11).</translation>
    </message>
    <message>
        <source>The user&apos;s computer has no desktop to show.</source>
        <translation>Počítač uživatele nemá žádnou plochu, kterou by šlo zobrazit.</translation>
    </message>
    <message>
        <source>The user&apos;s screen cannot be reached right now.</source>
        <translation>Obrazovka uživatele teď není dostupná.</translation>
    </message>
    <message>
        <source>The screen being shown is gone (a monitor was unplugged or switched off).</source>
        <translation>Zobrazovaná obrazovka zmizela (monitor byl odpojen nebo vypnut).</translation>
    </message>
    <message>
        <source>Clipboard content the user copied while the connection was down was not sent: the user turned clipboard sharing off meanwhile.</source>
        <translation>Obsah schránky, který uživatel zkopíroval během výpadku spojení, nebyl odeslán: uživatel mezitím sdílení schránky vypnul.</translation>
    </message>
    <message>
        <source>The user&apos;s computer says: {text}</source>
        <translation>Počítač uživatele hlásí: {text}</translation>
    </message>
    <message>
        <source>The session code was wrong. Ask the user to read it again.</source>
        <translation>Kód relace byl chybný. Požádejte uživatele, aby ho přečetl znovu.</translation>
    </message>
    <message>
        <source>The user ended the session.</source>
        <translation>Uživatel relaci ukončil.</translation>
    </message>
    <message>
        <source>You ended the session.</source>
        <translation>Relaci jste ukončili.</translation>
    </message>
    <message>
        <source>The connection was lost.</source>
        <translation>Spojení bylo ztraceno.</translation>
    </message>
    <message>
        <source>The connection was lost and could not be restored.</source>
        <translation>Spojení bylo ztraceno a nepodařilo se ho obnovit.</translation>
    </message>
    <message>
        <source>The user&apos;s computer no longer has this session (the assist app was closed or restarted).</source>
        <translation>Počítač uživatele už tuto relaci nemá (aplikace pro pomoc byla zavřena nebo restartována).</translation>
    </message>
    <message>
        <source>Another computer answered instead of the user&apos;s; the session was closed for safety.</source>
        <translation>Místo počítače uživatele odpověděl jiný počítač; relace byla z bezpečnostních důvodů ukončena.</translation>
    </message>
    <message>
        <source>The session code expired. Ask the user for the new one.</source>
        <translation>Platnost kódu relace vypršela. Požádejte uživatele o nový.</translation>
    </message>
    <message>
        <source>Session ended: {reason}</source>
        <translation>Relace skončila: {reason}</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Vy</translation>
    </message>
    <message>
        <source>Asked the user for control.</source>
        <translation>Uživatel byl požádán o ovládání.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <extracomment>File names shared with ``podpora case export`` (which signs bundles with the same key).</extracomment>
        <translation>Nastavení</translation>
    </message>
    <message>
        <source>Identity</source>
        <translation>Identita</translation>
    </message>
    <message>
        <source>Gateways</source>
        <translation>Brány</translation>
    </message>
    <message>
        <source>Ticket system</source>
        <translation>Systém požadavků</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Vzhled</translation>
    </message>
    <message>
        <source>Shortcuts</source>
        <translation>Klávesové zkratky</translation>
    </message>
    <message>
        <source>Your name (shown to users):</source>
        <translation>Vaše jméno (uvidí ho uživatelé):</translation>
    </message>
    <message>
        <source>Create my Ed25519 key</source>
        <translation>Vytvořit můj klíč Ed25519</translation>
    </message>
    <message>
        <source>Public key (send it to your organisation to be certified):</source>
        <translation>Veřejný klíč (pošlete ho své organizaci k certifikaci):</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopírovat</translation>
    </message>
    <message>
        <source>Import the organisation&apos;s certificate…</source>
        <translation>Importovat certifikát organizace…</translation>
    </message>
    <message>
        <source>Name, e.g. Prague office</source>
        <translation>Název, např. Pražská pobočka</translation>
    </message>
    <message>
        <source>SSH alias or host</source>
        <translation>Alias SSH nebo hostitel</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Přidat</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Odebrat</translation>
    </message>
    <message>
        <source>System:</source>
        <translation>Systém:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresa:</translation>
    </message>
    <message>
        <source>User or e-mail:</source>
        <translation>Uživatel nebo e-mail:</translation>
    </message>
    <message>
        <source>API key or password:</source>
        <translation>Klíč API nebo heslo:</translation>
    </message>
    <message>
        <source>Stored in the system keyring, never in a file</source>
        <translation>Uloží se do systémové klíčenky, nikdy do souboru</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Jazyk:</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>Motiv:</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>Podle systému</translation>
    </message>
    <message>
        <source>Reset to the defaults</source>
        <translation>Obnovit výchozí</translation>
    </message>
    <message>
        <source>Click a field and press the new keys; the clear button removes a shortcut. While the remote screen has the keyboard focus, every other key goes to the remote machine; Ctrl+Alt+Del and other keys your own computer would keep are in the session&apos;s Special keys menu.</source>
        <translation>Klikněte do pole a stiskněte nové klávesy; tlačítko pro vymazání zkratku odstraní. Když má vzdálená obrazovka fokus klávesnice, všechny ostatní klávesy jdou do vzdáleného počítače; Ctrl+Alt+Del a další klávesy, které by si ponechal váš vlastní počítač, najdete v nabídce relace Speciální klávesy.</translation>
    </message>
    <message>
        <source>Connect to a machine</source>
        <translation>Připojit se k počítači</translation>
    </message>
    <message>
        <source>End the session in front</source>
        <translation>Ukončit zobrazenou relaci</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Ukončit</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Světlý</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Tmavý</translation>
    </message>
    <message>
        <source>{keys} is already the shortcut for “{command}”. Pick other keys.</source>
        <translation>{keys} už je zkratka pro „{command}“. Zvolte jiné klávesy.</translation>
    </message>
    <message>
        <source>Your key: created.</source>
        <translation>Váš klíč: vytvořen.</translation>
    </message>
    <message>
        <source>Your key: not created yet.</source>
        <translation>Váš klíč: zatím nevytvořen.</translation>
    </message>
    <message>
        <source>Organisation certificate: imported.</source>
        <translation>Certifikát organizace: importován.</translation>
    </message>
    <message>
        <source>Organisation certificate: none. Users will see that you are not verified.</source>
        <translation>Certifikát organizace: žádný. Uživatelé uvidí, že nejste ověřeni.</translation>
    </message>
    <message>
        <source>Could not create the key: {reason}</source>
        <translation>Klíč se nepodařilo vytvořit: {reason}</translation>
    </message>
    <message>
        <source>Organisation certificate</source>
        <translation>Certifikát organizace</translation>
    </message>
    <message>
        <source>Could not import the certificate: {reason}</source>
        <translation>Certifikát se nepodařilo importovat: {reason}</translation>
    </message>
    <message>
        <source>The secret was not stored: there is no system keyring ({reason}).</source>
        <translation>Tajný údaj nebyl uložen: systémová klíčenka není k dispozici ({reason}).</translation>
    </message>
</context>
<context>
    <name>SudoPasswordAsker</name>
    <message>
        <source>Administrator password</source>
        <translation>Heslo správce</translation>
    </message>
    <message>
        <source>A script needs administrator rights on {host}. Enter your sudo password there:</source>
        <translation>Skript potřebuje na počítači {host} práva správce. Zadejte své heslo pro sudo na tomto počítači:</translation>
    </message>
    <message>
        <source>That password was not accepted. Try again.</source>
        <translation>Toto heslo nebylo přijato. Zkuste to znovu.</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>Something unexpected went wrong: {0}</source>
        <extracomment>Languages Podpora speaks, in the order the language menus list them. Each language&apos;s own name, shown in menus so people find their language even when the UI is foreign.</extracomment>
        <translation>Stalo se něco neočekávaného: {0}</translation>
    </message>
</context>
<context>
    <name>podpora</name>
    <message>
        <source>The case log could not be saved ({reason}). Remote control is stopped so that nothing happens without a record.</source>
        <translation>Záznam případu se nepodařilo uložit ({reason}). Vzdálené ovládání je zastaveno, aby se nic nedělo bez záznamu.</translation>
    </message>
    <message>
        <source>The case log was changed outside Podpora: record {seq} does not verify.</source>
        <translation>Záznam případu byl změněn mimo Podporu: záznam {seq} neprošel ověřením.</translation>
    </message>
    <message>
        <source>Keystrokes are never recorded in the case log.</source>
        <translation>Stisky kláves se do záznamu případu nikdy neukládají.</translation>
    </message>
    <message>
        <source>This case log can still be read and exported, but no more events can be added to it: its sealing key is missing or damaged. Start a new case.</source>
        <translation>Záznam případu lze stále číst a exportovat, ale nelze do něj přidávat další události: jeho pečeticí klíč chybí nebo je poškozený. Založte nový případ.</translation>
    </message>
    <message>
        <source>The case log cannot be opened with this computer&apos;s key.</source>
        <translation>Záznam případu nelze otevřít klíčem tohoto počítače.</translation>
    </message>
    <message>
        <source>No {name} is stored for {system}. Store it with `podpora outbox login {system} {name}` (kept in the system keyring) or set {env}.</source>
        <translation>Pro {system} není uložen údaj {name}. Uložte ho příkazem `podpora outbox login {system} {name}` (zůstane v systémové klíčence) nebo nastavte {env}.</translation>
    </message>
    <message>
        <source>The case-log key file {path} can be read by other users. Fix it with: chmod 600 {path}</source>
        <translation>Soubor s klíčem záznamu případů {path} mohou číst jiní uživatelé. Opravte to příkazem: chmod 600 {path}</translation>
    </message>
    <message>
        <source>There is no system keyring to store the {name} for {system}. Set {env} instead.</source>
        <translation>Není k dispozici systémová klíčenka pro uložení údaje {name} pro {system}. Nastavte místo toho {env}.</translation>
    </message>
    <message>
        <source>The diagnostics settings {source} are invalid at &apos;{key}&apos;: {problem}</source>
        <extracomment>The shipped library per target platform; a catalog holds the scripts of one platform.</extracomment>
        <translation>Nastavení diagnostiky {source} je neplatné u &apos;{key}&apos;: {problem}</translation>
    </message>
    <message>
        <source>The script description {source} is invalid at &apos;{key}&apos;: {problem}</source>
        <translation>Popis skriptu {source} je neplatný u &apos;{key}&apos;: {problem}</translation>
    </message>
    <message>
        <source>The script {source} was refused because {reason}. Nothing was run.</source>
        <translation>Skript {source} byl odmítnut, protože {reason}. Nic nebylo spuštěno.</translation>
    </message>
    <message>
        <source>The key file {path} cannot be used: {problem}</source>
        <translation>Soubor s klíčem {path} nelze použít: {problem}</translation>
    </message>
    <message>
        <source>The value for &apos;{name}&apos; of the script {script_id} is not accepted: {problem}</source>
        <translation>Hodnota &apos;{name}&apos; pro skript {script_id} není přijatelná: {problem}</translation>
    </message>
    <message>
        <source>There is no verified script called &apos;{script_id}&apos;. See &apos;podpora diag list&apos;.</source>
        <translation>Ověřený skript s názvem &apos;{script_id}&apos; neexistuje. Viz &apos;podpora diag list&apos;.</translation>
    </message>
    <message>
        <source>The result file {path} cannot be read: {problem}</source>
        <translation>Soubor s výsledky {path} nelze přečíst: {problem}</translation>
    </message>
    <message>
        <source>Your organisation&apos;s Podpora settings ({file}) cannot be used: {problem}. Please tell your IT department.</source>
        <translation>Nastavení Podpory vaší organizace ({file}) nelze použít: {problem}. Dejte prosím vědět svému IT oddělení.</translation>
    </message>
    <message>
        <source>Your organisation&apos;s Podpora settings ({file}) have a problem with the setting “{key}”: {problem}. Please tell your IT department.</source>
        <translation>Nastavení Podpory vaší organizace ({file}) má problém s položkou „{key}“: {problem}. Dejte prosím vědět svému IT oddělení.</translation>
    </message>
    <message>
        <source>This computer uses a Wayland desktop session. Podpora cannot show or control the screen in it yet. Log out and choose an &quot;Xorg&quot; or &quot;X11&quot; session on the login screen, then try again.</source>
        <extracomment>The largest picture the agent sends, per side and in total. The console&apos;s decoder (``app.remote.encode.FrameDecoder``) refuses a screen wider or taller than 8192 px or larger than 8K UHD, and the protocol cannot negotiate other limits yet, so these are fixed; a test keeps them within the decoder&apos;s. A larger monitor (Xvfb allows 16384×16384 and more) is sent downscaled by a whole factor. A downscaled monitor is grabbed and scaled in strips of about this many bytes (at least one block row), so a 16384×16384 screen (1 GiB of BGRA) is never held at full size in the agent: one strip at a time. The whole factor the picture is downscaled by (1: full size); see :func:`downscale_factor`.</extracomment>
        <translation>Tento počítač používá relaci Wayland. Podpora v ní zatím nedokáže zobrazit ani ovládat obrazovku. Odhlaste se, na přihlašovací obrazovce zvolte relaci „Xorg“ nebo „X11“ a zkuste to znovu.</translation>
    </message>
    <message>
        <source>There is no graphical desktop to share here. Start Podpora from inside your desktop session.</source>
        <translation>Není tu žádná grafická plocha ke sdílení. Spusťte Podporu ve své relaci pracovní plochy.</translation>
    </message>
    <message>
        <source>Podpora cannot reach the desktop display {display}. Start Podpora from inside your desktop session.</source>
        <translation>Podpora se nemůže připojit k displeji {display}. Spusťte Podporu ve své relaci pracovní plochy.</translation>
    </message>
    <message>
        <source>The shared monitor was disconnected. Choose another monitor.</source>
        <translation>Sdílený monitor byl odpojen. Vyberte jiný monitor.</translation>
    </message>
    <message>
        <source>The connection to the other side was lost ({reason}).</source>
        <extracomment>Largest frame on the wire: the largest message plus the sealing overhead. Longest length header: LEB128 of MAX_FRAME_BYTES (under 2**28) takes four bytes. Before pairing, a peer has proven nothing: its frames (Hello and the SPAKE2 messages) must stay small. Once a frame has started, all of it must arrive within this time (a trickling peer is cut off).</extracomment>
        <translation>Spojení s druhou stranou bylo ztraceno ({reason}).</translation>
    </message>
    <message>
        <source>The picture from the other computer arrived damaged, so the connection was closed. Connect again; if it keeps happening, report it.</source>
        <extracomment>Rows are hashed in this many vertical slices. A row belongs to a moved band when all slices but the last match: a scrollbar&apos;s thumb beside the text changes the right edge of the rows next to it, and those rows still moved. The tile diff after the copy resends what the copy got wrong there. (Tolerating any one slice let short lines of a terminal, blank on the right, join bands they did not belong to.)</extracomment>
        <translation>Obraz z druhého počítače dorazil poškozený, a proto bylo spojení ukončeno. Připojte se znovu; pokud se to opakuje, nahlaste to.</translation>
    </message>
    <message>
        <source>Podpora cannot control the mouse and keyboard in this desktop session. The technician can still see the screen.</source>
        <translation>Podpora v této relaci nemůže ovládat myš a klávesnici. Technik ale obrazovku stále vidí.</translation>
    </message>
    <message>
        <source>OpenSSH&apos;s sshd is not installed. Run scripts/setup (Debian package openssh-server).</source>
        <translation>Server sshd z OpenSSH není nainstalován. Spusťte scripts/setup (balíček Debianu openssh-server).</translation>
    </message>
    <message>
        <source>The session code was not accepted. Check the code and try again.</source>
        <extracomment>Three groups of three digits: 10^9 codes (~30 bits). With 3 attempts per code and SPAKE2 allowing one guess per attempt, a guesser succeeds with probability 3·10⁻⁹ per code shown. Across all codes: after this many failed attempts within the window, pairing locks until the window passes. An attempt still open after this long was abandoned by a connection that never reported back.</extracomment>
        <translation>Kód relace nebyl přijat. Zkontrolujte kód a zkuste to znovu.</translation>
    </message>
    <message>
        <source>The connection was tampered with or broken; the session was closed for safety.</source>
        <translation>Do spojení někdo zasáhl nebo se přerušilo; relace byla z bezpečnostních důvodů ukončena.</translation>
    </message>
    <message>
        <source>Too many wrong codes. Wait a few minutes and try again.</source>
        <translation>Příliš mnoho chybných kódů. Počkejte několik minut a zkuste to znovu.</translation>
    </message>
    <message>
        <source>The user is not asking for help right now.</source>
        <translation>Uživatel právě nežádá o pomoc.</translation>
    </message>
    <message>
        <source>The session code expired. Ask for the new code.</source>
        <translation>Platnost kódu relace vypršela. Požádejte o nový kód.</translation>
    </message>
    <message>
        <source>A session code has 9 digits, like 123-456-789.</source>
        <extracomment>A short, non-secret fingerprint of this session (both sides compute the same one), for the journal.</extracomment>
        <translation>Kód relace má 9 číslic, například 123-456-789.</translation>
    </message>
    <message>
        <source>The other side sent something invalid; the session was closed.</source>
        <extracomment>Largest encoded message (one wire frame&apos;s plaintext). Big enough for a full 1920×1080 raw BGRA update (8.3 MB) with room for 4K in two updates; the console&apos;s FrameRequest.max_bytes asks for less. Largest side of a screen or monitor in pixels (Xvfb&apos;s maximum is 16384 too).</extracomment>
        <translation>Druhá strana poslala neplatná data; relace byla ukončena.</translation>
    </message>
    <message>
        <source>Your SSH configuration includes itself in a loop ({path}).</source>
        <extracomment>How often a connection attempt that can be cancelled looks at its cancel event.</extracomment>
        <translation>Vaše konfigurace SSH se zacyklila vkládáním sama sebe ({path}).</translation>
    </message>
    <message>
        <source>Cannot read the SSH configuration file {path}: {reason}</source>
        <translation>Konfigurační soubor SSH {path} nelze přečíst: {reason}</translation>
    </message>
    <message>
        <source>The SSH configuration file {path} has an error: {reason}</source>
        <translation>Konfigurační soubor SSH {path} obsahuje chybu: {reason}</translation>
    </message>
    <message>
        <source>The SSH configuration file {path} does not exist.</source>
        <translation>Konfigurační soubor SSH {path} neexistuje.</translation>
    </message>
    <message>
        <source>The ProxyJump chain to {host} is too long or loops.</source>
        <translation>Řetězec ProxyJump k {host} je příliš dlouhý nebo se zacyklil.</translation>
    </message>
    <message>
        <source>The SSH configuration for {host} has an invalid number: {reason}</source>
        <translation>Konfigurace SSH pro {host} obsahuje neplatné číslo: {reason}</translation>
    </message>
    <message>
        <source>The command on the remote machine did not finish in time.</source>
        <extracomment>Set by another thread to give up: the attempt&apos;s sockets are closed at once and it raises :class:`ConnectCancelled` (instead of waiting out a stalled server&apos;s timeout).</extracomment>
        <translation>Příkaz na vzdáleném počítači nedoběhl včas.</translation>
    </message>
    <message>
        <source>The connection was lost while the command was running.</source>
        <translation>Během běhu příkazu se spojení ztratilo.</translation>
    </message>
    <message>
        <source>The server refused to connect to {host}:{port}. Nothing may be listening there, or the server does not allow port forwarding.</source>
        <translation>Server odmítl připojení k {host}:{port}. Možná tam nic nenaslouchá nebo server nepovoluje přesměrování portů.</translation>
    </message>
    <message>
        <source>The gateway refused to open a port for this session. Ask your IT department to check the gateway key&apos;s permitlisten setting.</source>
        <translation>Brána odmítla otevřít port pro tuto relaci. Požádejte IT oddělení, aby zkontrolovalo nastavení permitlisten u klíče brány.</translation>
    </message>
    <message>
        <source>{host} stopped answering: the connection may be stalled or lost.</source>
        <translation>{host} přestal odpovídat: spojení se možná zaseklo nebo přerušilo.</translation>
    </message>
    <message>
        <source>{host} did not answer in time. The machine may be off, or a firewall may drop the connection.</source>
        <translation>{host} neodpověděl včas. Počítač může být vypnutý nebo spojení blokuje firewall.</translation>
    </message>
    <message>
        <source>{user}@{host} did not accept any of your keys. Check that your key is loaded in ssh-agent or named by IdentityFile, and that the server has your public key.</source>
        <translation>{user}@{host} nepřijal žádný z vašich klíčů. Ověřte, že je klíč načten v ssh-agentovi nebo uveden v IdentityFile a že server má váš veřejný klíč.</translation>
    </message>
    <message>
        <source>The name {host} could not be found. Check the spelling and your network.</source>
        <translation>Název {host} se nepodařilo najít. Zkontrolujte překlepy a síťové připojení.</translation>
    </message>
    <message>
        <source>{host} refused the connection on port {port}: no SSH server is listening there.</source>
        <translation>{host} odmítl spojení na portu {port}: nenaslouchá tam žádný server SSH.</translation>
    </message>
    <message>
        <source>{host} cannot be reached: {reason}</source>
        <translation>{host} není dostupný: {reason}</translation>
    </message>
    <message>
        <source>{host} accepted the connection but its SSH server did not answer in time.</source>
        <translation>{host} přijal spojení, ale jeho server SSH neodpověděl včas.</translation>
    </message>
    <message>
        <source>The SSH connection to {host} failed: {reason}</source>
        <translation>Spojení SSH s {host} selhalo: {reason}</translation>
    </message>
    <message>
        <source>The connection attempt was cancelled.</source>
        <translation>Pokus o připojení byl zrušen.</translation>
    </message>
    <message>
        <source>The jump host could not reach {host} on port {port}.</source>
        <translation>Přestupní server se nemohl spojit s {host} na portu {port}.</translation>
    </message>
    <message>
        <source>{host} runs an SSH server without protection against the Terrapin attack (strict key exchange). Ask its administrator to update OpenSSH.</source>
        <translation>{host} používá server SSH bez ochrany proti útoku Terrapin (striktní výměna klíčů). Požádejte jeho správce o aktualizaci OpenSSH.</translation>
    </message>
    <message>
        <source>The identity of {host} has changed. Someone may be intercepting this connection, or the machine was reinstalled. Podpora will not connect. Check the new fingerprint {fingerprint} with the machine&apos;s administrator by phone or in person; if it is genuine, remove the old entry for {name} from your known_hosts files and connect again.</source>
        <translation>Identita {host} se změnila. Někdo může spojení odposlouchávat, nebo byl počítač přeinstalován. Podpora se nepřipojí. Ověřte nový otisk {fingerprint} u správce počítače telefonicky nebo osobně; pokud je pravý, odstraňte starý záznam pro {name} ze souborů known_hosts a připojte se znovu.</translation>
    </message>
    <message>
        <source>{host} is not known yet and its key was not accepted. Its fingerprint is {fingerprint}; compare it with the one your administrator gave you before trusting it.</source>
        <translation>{host} zatím není známý a jeho klíč nebyl přijat. Jeho otisk je {fingerprint}; než mu budete důvěřovat, porovnejte ho s otiskem od správce.</translation>
    </message>
    <message>
        <source>The passphrase for the key {path} is not correct.</source>
        <translation>Heslo ke klíči {path} není správné.</translation>
    </message>
    <message>
        <source>Your private key {path} can be read by other users, so Podpora will not use it. Fix it with: chmod 600 {path}</source>
        <translation>Váš soukromý klíč {path} mohou číst jiní uživatelé, proto ho Podpora nepoužije. Opravte to příkazem: chmod 600 {path}</translation>
    </message>
    <message>
        <source>This case was recorded with another technician key; export it with that key.</source>
        <translation>Tento případ byl zaznamenán jiným klíčem technika; exportujte ho tímto klíčem.</translation>
    </message>
    <message>
        <source>{path} contains {key}: credentials belong in the system keyring, not in a file. Remove it and store it with `podpora outbox login`.</source>
        <translation>{path} obsahuje {key}: přihlašovací údaje patří do systémové klíčenky, ne do souboru. Odstraňte je a uložte příkazem `podpora outbox login`.</translation>
    </message>
    <message>
        <source>Unknown ticket system {name}. Known: {known}.</source>
        <translation>Neznámý systém požadavků {name}. Známé: {known}.</translation>
    </message>
    <message>
        <source>{system} unreachable ({detail})</source>
        <translation>{system} nedostupný ({detail})</translation>
    </message>
    <message>
        <source>{system} refused the delivery: {detail}</source>
        <translation>{system} odmítl doručení: {detail}</translation>
    </message>
    <message>
        <source>{system} needs the setting {setting}: add it to the [{system}] section of connectors.toml.</source>
        <translation>{system} potřebuje nastavení {setting}: přidejte ho do sekce [{system}] v connectors.toml.</translation>
    </message>
    <message>
        <source>delivered to {system}: {url} (it was already there)</source>
        <translation>doručeno do {system}: {url} (už tam bylo)</translation>
    </message>
    <message>
        <source>delivered to {system}: {url}</source>
        <translation>doručeno do {system}: {url}</translation>
    </message>
    <message>
        <source>failed: {error}; fix it, then run `podpora outbox retry`</source>
        <translation>selhalo: {error}; opravte to a spusťte `podpora outbox retry`</translation>
    </message>
    <message>
        <source>waiting: not yet sent to {system}</source>
        <translation>čeká: zatím neodesláno do {system}</translation>
    </message>
    <message>
        <source>waiting: {error}, next try in {wait}</source>
        <translation>čeká: {error}, další pokus za {wait}</translation>
    </message>
    <message>
        <source>There is no delivery {id} in the outbox.</source>
        <translation>Ve frontě k odeslání není žádné doručení {id}.</translation>
    </message>
    <message>
        <source>There is no case {case_id}. See `podpora case list`.</source>
        <translation>Případ {case_id} neexistuje. Viz `podpora case list`.</translation>
    </message>
    <message>
        <source>The case {case_id} is open in another console. Close it there first.</source>
        <translation>Případ {case_id} je otevřený v jiné konzoli. Nejdřív ho zavřete tam.</translation>
    </message>
    <message>
        <source>A case id may contain only letters, digits, dots, dashes and underscores.</source>
        <translation>Identifikátor případu smí obsahovat jen písmena, číslice, tečky, pomlčky a podtržítka.</translation>
    </message>
    <message>
        <source>The technician key {path} cannot be read. Pass it with --key.</source>
        <translation>Klíč technika {path} nelze přečíst. Zadejte ho pomocí --key.</translation>
    </message>
    <message>
        <source>The technician key {path} is not a usable Ed25519 key.</source>
        <translation>Klíč technika {path} není použitelný klíč Ed25519.</translation>
    </message>
    <message>
        <source>The technician key {path} is not an Ed25519 key.</source>
        <translation>Klíč technika {path} není klíč Ed25519.</translation>
    </message>
    <message>
        <source>This case has no ticket reference. Pass one with --ticket.</source>
        <translation>Tento případ nemá odkaz na požadavek. Zadejte ho pomocí --ticket.</translation>
    </message>
    <message>
        <source>--trusted-key must be 64 hexadecimal digits.</source>
        <translation>--trusted-key musí mít 64 šestnáctkových číslic.</translation>
    </message>
    <message>
        <source>--journal-key must be 64 hexadecimal digits.</source>
        <translation>--journal-key musí mít 64 šestnáctkových číslic.</translation>
    </message>
    <message>
        <source>The passphrase variable {var} is not set.</source>
        <translation>Proměnná s heslem {var} není nastavena.</translation>
    </message>
    <message>
        <source>The connection to the computer was lost: {detail}</source>
        <extracomment>The fixed bootstrap (POSIX sh) that runs the interpreter ``&quot;$@&quot;`` as a child in the new process group: it prints the group id, keeps the script&apos;s stdin (a background job would otherwise get /dev/null), and starts a watchdog that writes one NUL byte to stderr every second; when the connection is gone that write fails and the watchdog kills the whole group, so a lost link leaves no script running on the target. Before that it puts the script into its own cgroup with a ``pids.max`` (:mod:`app.diagnostics.containment`), and whenever the script ends, is stopped (``TERM``, trapped) or loses its link (the watchdog), it kills every process in that cgroup and removes it. The ``TERM`` trap is set only after both subshells are forked: dash can swallow a signal that arrives while a child it forks still carries the parent&apos;s trap (seen here: a watchdog that outlived its bootstrap), and the watchdog is stopped with ``KILL`` for the same reason. With a sudo password the channel&apos;s stdin carries ``password LF``, this marker line, then the body. sudo reads the password a byte at a time; the bootstrap (now root) then drops lines up to the marker, so a password that sudo did not ask for (a NOPASSWD rule) is discarded there and never reaches the interpreter. Checks a sudo password before any script is sent: ``true`` through ``sudo -S`` with the password on stdin. ``-k`` ignores cached credentials, so a wrong password is always noticed here, not in the middle of a run.</extracomment>
        <translation>Spojení s počítačem bylo ztraceno: {detail}</translation>
    </message>
    <message>
        <source>This technician is NOT verified by your organisation. Only accept if you contacted IT yourself.</source>
        <extracomment>Clock difference between the organisation&apos;s signing machine and the user&apos;s machine that is tolerated. Plain-language templates the UI translates (the reason strings below are English technical detail).</extracomment>
        <translation>Tento technik NENÍ ověřen vaší organizací. Přijměte jen tehdy, pokud jste IT kontaktovali sami.</translation>
    </message>
    <message>
        <source>Verified: {name}, {team}, {org}</source>
        <translation>Ověřeno: {name}, {team}, {org}</translation>
    </message>
    <message>
        <source>{detail}</source>
        <translation>{detail}</translation>
    </message>
    <message>
        <source>The unattended-access policy cannot be used: {reason}.</source>
        <translation>Zásady bezobslužného přístupu nelze použít: {reason}.</translation>
    </message>
    <message>
        <source>Xvfb is not installed. Run scripts/setup (Debian package xvfb).</source>
        <translation>Xvfb není nainstalován. Spusťte scripts/setup (balíček Debianu xvfb).</translation>
    </message>
    <message>
        <source>The virtual display could not be started: {reason}</source>
        <translation>Virtuální displej se nepodařilo spustit: {reason}</translation>
    </message>
    <message>
        <source>The demo stopped: {reason}</source>
        <translation>Ukázka se zastavila: {reason}</translation>
    </message>
    <message>
        <source>The demo stopped at this step: {step}</source>
        <translation>Ukázka se zastavila u tohoto kroku: {step}</translation>
    </message>
    <message>
        <source>Viewing the screen is not allowed right now.</source>
        <extracomment>The largest message either side accepts (a send_local message may be a whole protocol message). The longest the protocol process waits for the broker (a grab, the monitor list) before giving up. How long the protocol process gets to start, confine itself and say it is ready. After a stop, how long the protocol process gets to say goodbye before it is killed. The longest change wait the broker carries out for the protocol process. Input the protocol process sent that the gate dropped (for the log and the tests).</extracomment>
        <translation>Sledování obrazovky teď není povoleno.</translation>
    </message>
    <message>
        <source>The part of Podpora that talks to the technician stopped unexpectedly. Ask for help again.</source>
        <translation>Část aplikace Podpora, která komunikuje s technikem, se nečekaně ukončila. Požádejte o pomoc znovu.</translation>
    </message>
    <message>
        <source>Podpora could not start its connection process: {reason}</source>
        <translation>Podpora nemohla spustit svůj proces pro spojení: {reason}</translation>
    </message>
</context>
</TS>
