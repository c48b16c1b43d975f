<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="sk_SK">
<context>
    <name>AddressBookPanel</name>
    <message>
        <source>Machines</source>
        <extracomment>How long closing a case waits for the session&apos;s last calls (a chat line, the goodbye) to be recorded.</extracomment>
        <translation>Počítače</translation>
    </message>
    <message>
        <source>Search by name, host or tag</source>
        <translation>Hľadať podľa názvu, hostiteľa alebo štítka</translation>
    </message>
    <message>
        <source>Connect…</source>
        <translation>Pripojiť…</translation>
    </message>
    <message>
        <source>Tags…</source>
        <translation>Štítky…</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Pridať…</translation>
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
        <translation>Štítky pre {name}, oddelené medzerami:</translation>
    </message>
</context>
<context>
    <name>AssistWindow</name>
    <message>
        <source>Podpora – Get help</source>
        <translation>Podpora – Získať pomoc</translation>
    </message>
    <message>
        <source>Get help from your IT support</source>
        <translation>Získajte pomoc od svojho IT oddelenia</translation>
    </message>
    <message>
        <source>Press the button below. You will get a short code to read out to your technician. Nothing is shared until you agree.</source>
        <translation>Stlačte tlačidlo nižšie. Dostanete krátky kód, ktorý prečítate svojmu technikovi. Kým nesúhlasíte, nič sa nezdieľa.</translation>
    </message>
    <message>
        <source>Get help</source>
        <translation>Získať pomoc</translation>
    </message>
    <message>
        <source>Check my computer</source>
        <translation>Skontrolovať môj počítač</translation>
    </message>
    <message>
        <source>Runs a few quick checks here on your computer and explains what it finds. Nothing is sent.</source>
        <translation>Vykoná na vašom počítači niekoľko rýchlych kontrol a vysvetlí, čo zistí. Nič sa neodosiela.</translation>
    </message>
    <message>
        <source>Read this code to your technician</source>
        <translation>Prečítajte tento kód svojmu technikovi</translation>
    </message>
    <message>
        <source>What happens next: your technician types the code. Then you see who they are and what they ask for, and you decide. You can end the session at any time.</source>
        <translation>Čo bude ďalej: technik zadá kód. Potom uvidíte, kto to je a o čo žiada, a rozhodnete vy. Reláciu môžete kedykoľvek ukončiť.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Zrušiť</translation>
    </message>
    <message>
        <source>Session number: {number}</source>
        <translation>Číslo relácie: {number}</translation>
    </message>
    <message>
        <source>You are being helped</source>
        <translation>Práve vám pomáhame</translation>
    </message>
    <message>
        <source>The session has ended</source>
        <translation>Relácia sa skončila</translation>
    </message>
    <message>
        <source>Anything you want to add (optional)</source>
        <translation>Chcete niečo doplniť? (nepovinné)</translation>
    </message>
    <message>
        <source>Save a copy…</source>
        <translation>Uložiť kópiu…</translation>
    </message>
    <message>
        <source>Send rating</source>
        <translation>Odoslať hodnotenie</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Späť</translation>
    </message>
    <message>
        <source>You approved a change.</source>
        <translation>Schválili ste zmenu.</translation>
    </message>
    <message>
        <source>You declined a change.</source>
        <translation>Odmietli ste zmenu.</translation>
    </message>
    <message>
        <source>{name} made a change on your computer and approved it themselves: {title}</source>
        <translation>Zmenu na vašom počítači vykonal(a) a sám/sama schválil(a) {name}: {title}</translation>
    </message>
    <message numerus="yes">
        <source>{name} helped you for %n minute(s).</source>
        <translation>
            <numerusform>{name} vám pomáhal(a) %n minútu.</numerusform>
            <numerusform>{name} vám pomáhal(a) %n minúty.</numerusform>
            <numerusform>{name} vám pomáhal(a) %n minút.</numerusform>
        </translation>
    </message>
    <message>
        <source>Case: {reference}</source>
        <translation>Prípad: {reference}</translation>
    </message>
    <message>
        <source>What was done:</source>
        <translation>Čo sa urobilo:</translation>
    </message>
    <message>
        <source>approved by you</source>
        <translation>schválené vami</translation>
    </message>
    <message>
        <source>approved by {name}, not by you</source>
        <translation>schválil(a) {name}, nie vy</translation>
    </message>
    <message>
        <source>To undo: {undo}</source>
        <translation>Vrátenie späť: {undo}</translation>
    </message>
    <message>
        <source>Nothing on your computer was changed.</source>
        <translation>Na vašom počítači sa nič nezmenilo.</translation>
    </message>
    <message>
        <source>You rated this session {rating} out of 5.</source>
        <translation>Túto reláciu ste ohodnotili {rating} z 5.</translation>
    </message>
    <message>
        <source>This code has expired. Press Cancel and ask for a new one.</source>
        <translation>Platnosť kódu vypršala. Stlačte Zrušiť a požiadajte o nový.</translation>
    </message>
    <message>
        <source>The code is valid for {minutes}:{seconds:02d} more.</source>
        <translation>Kód platí ešte {minutes}:{seconds:02d}.</translation>
    </message>
    <message>
        <source>Waiting for your technician to enter the code…</source>
        <translation>Čakáme, kým technik zadá kód…</translation>
    </message>
    <message>
        <source>Your technician is connecting…</source>
        <translation>Technik sa pripája…</translation>
    </message>
    <message>
        <source>Your technician is connected. Please answer the question on your screen.</source>
        <translation>Technik je pripojený. Odpovedzte, prosím, na otázku na obrazovke.</translation>
    </message>
    <message>
        <source>You refused. Nothing was shared. You can close this window.</source>
        <translation>Odmietli ste. Nič sa nezdieľalo. Toto okno môžete zavrieť.</translation>
    </message>
    <message>
        <source>Your technician</source>
        <translation>Váš technik</translation>
    </message>
    <message>
        <source>{name} is disconnected and cannot see or control anything. Waiting for them to return…</source>
        <translation>{name}: spojenie je prerušené, nič nevidí ani neovláda. Čakáme na opätovné pripojenie…</translation>
    </message>
    <message>
        <source>The session is paused. {name} cannot see your screen.</source>
        <translation>Relácia je pozastavená. {name} nevidí vašu obrazovku.</translation>
    </message>
    <message>
        <source>{name} can see your screen and use your mouse and keyboard.</source>
        <translation>{name} vidí vašu obrazovku a môže používať vašu myš a klávesnicu.</translation>
    </message>
    <message>
        <source>{name} can see your screen.</source>
        <translation>{name} vidí vašu obrazovku.</translation>
    </message>
    <message>
        <source>{name} is connected. You can chat here.</source>
        <translation>{name} je pripojený(á). Môžete si tu písať.</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>V poriadku</translation>
    </message>
    <message>
        <source>Worth a look</source>
        <translation>Stojí za pozornosť</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problém</translation>
    </message>
    <message>
        <source>Could not check</source>
        <translation>Nedá sa skontrolovať</translation>
    </message>
    <message>
        <source>Checking your computer… this takes a few seconds.</source>
        <translation>Kontrolujeme váš počítač… potrvá to niekoľko sekúnd.</translation>
    </message>
    <message numerus="yes">
        <source>Found %n thing(s) worth a look.</source>
        <translation>
            <numerusform>Našli sme %n vec, ktorá stojí za pozornosť.</numerusform>
            <numerusform>Našli sme %n veci, ktoré stoja za pozornosť.</numerusform>
            <numerusform>Našli sme %n vecí, ktoré stoja za pozornosť.</numerusform>
        </translation>
    </message>
    <message>
        <source>Everything we checked looks fine.</source>
        <translation>Všetko, čo sme skontrolovali, vyzerá v poriadku.</translation>
    </message>
    <message>
        <source>The check could not run: {detail}</source>
        <translation>Kontrolu nebolo možné spustiť: {detail}</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Vy</translation>
    </message>
    <message>
        <source>Thank you! Your rating was sent.</source>
        <translation>Ďakujeme! Vaše hodnotenie bolo odoslané.</translation>
    </message>
    <message>
        <source>When your technician is done: how helpful was this session? Your rating goes into the case.</source>
        <translation>Keď technik skončí: ako vám táto relácia pomohla? Vaše hodnotenie sa zapíše do prípadu.</translation>
    </message>
    <message>
        <source>Save a copy</source>
        <translation>Uložiť kópiu</translation>
    </message>
    <message>
        <source>Text (*.txt)</source>
        <translation>Text (*.txt)</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>Uložené do {path}</translation>
    </message>
    <message>
        <source>Could not save the copy: {detail}</source>
        <translation>Kópiu sa nepodarilo uložiť: {detail}</translation>
    </message>
</context>
<context>
    <name>CasePanel</name>
    <message>
        <source>Ticket:</source>
        <translation>Požiadavka:</translation>
    </message>
    <message>
        <source>e.g. RM-1234</source>
        <translation>napr. RM-1234</translation>
    </message>
    <message>
        <source>The user&apos;s description of the problem:</source>
        <translation>Popis problému od používateľa:</translation>
    </message>
    <message>
        <source>Add a note to the case</source>
        <translation>Pridať poznámku k prípadu</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>Pridať poznámku</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>Časová os</translation>
    </message>
    <message>
        <source>Export case…</source>
        <translation>Exportovať prípad…</translation>
    </message>
    <message>
        <source>Could not save: {reason}</source>
        <translation>Nepodarilo sa uložiť: {reason}</translation>
    </message>
    <message>
        <source>Note: {text}</source>
        <translation>Poznámka: {text}</translation>
    </message>
    <message>
        <source>Note saved.</source>
        <translation>Poznámka uložená.</translation>
    </message>
    <message>
        <source>Description saved.</source>
        <translation>Popis uložený.</translation>
    </message>
    <message>
        <source>Ticket saved.</source>
        <translation>Požiadavka uložená.</translation>
    </message>
</context>
<context>
    <name>ChatWidget</name>
    <message>
        <source>Type a message</source>
        <extracomment>Longest message accepted from the keyboard; the protocol enforces its own limit too.</extracomment>
        <translation>Napíšte správu</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Odoslať</translation>
    </message>
</context>
<context>
    <name>ConnectDialog</name>
    <message>
        <source>Connect</source>
        <extracomment>The technician&apos;s answers, with the same values as ``app.remote.ssh.HostKeyDecision``.</extracomment>
        <translation>Pripojiť</translation>
    </message>
    <message>
        <source>Directly (SSH to the machine)</source>
        <translation>Priamo (SSH na počítač)</translation>
    </message>
    <message>
        <source>Through a gateway (session code)</source>
        <translation>Cez bránu (kód relácie)</translation>
    </message>
    <message>
        <source>Host or alias:</source>
        <translation>Hostiteľ alebo alias:</translation>
    </message>
    <message>
        <source>Gateway:</source>
        <translation>Brána:</translation>
    </message>
    <message>
        <source>Session code:</source>
        <translation>Kód relácie:</translation>
    </message>
    <message>
        <source>Session number:</source>
        <translation>Číslo relácie:</translation>
    </message>
    <message>
        <source>Reason (shown to the user):</source>
        <translation>Dôvod (uvidí ho používateľ):</translation>
    </message>
    <message>
        <source>Ticket (optional):</source>
        <translation>Požiadavka (nepovinné):</translation>
    </message>
    <message>
        <source>e.g. office-pc or jana@10.0.0.7</source>
        <translation>napr. office-pc alebo jana@10.0.0.7</translation>
    </message>
    <message>
        <source>Add a gateway in Settings first.</source>
        <translation>Najprv pridajte bránu v Nastaveniach.</translation>
    </message>
    <message>
        <source>Ask the user for the session number shown under their code.</source>
        <translation>Požiadajte používateľa o číslo relácie zobrazené pod jeho kódom.</translation>
    </message>
    <message>
        <source>Ask the user for the 9-digit code shown in their Podpora window.</source>
        <translation>Požiadajte používateľa o deväťmiestny kód z jeho okna Podpory.</translation>
    </message>
    <message>
        <source>Type a host name or pick one from your SSH configuration.</source>
        <translation>Zadajte názov hostiteľa alebo ho vyberte z konfigurácie SSH.</translation>
    </message>
</context>
<context>
    <name>ConnectErrors</name>
    <message>
        <source>Do not connect. Call the machine&apos;s administrator and compare the fingerprint.</source>
        <translation>Nepripájajte sa. Zavolajte správcovi počítača a porovnajte odtlačok kľúča.</translation>
    </message>
    <message>
        <source>Connect again when you have the fingerprint to compare.</source>
        <translation>Pripojte sa znova, keď budete mať odtlačok na porovnanie.</translation>
    </message>
    <message>
        <source>Check your key in Settings → Identity, or load it into ssh-agent.</source>
        <translation>Skontrolujte svoj kľúč v Nastavenia → Identita alebo ho načítajte do ssh-agenta.</translation>
    </message>
    <message>
        <source>Check that the machine is on and connected, then try again.</source>
        <translation>Overte, že je počítač zapnutý a pripojený, a skúste to znova.</translation>
    </message>
    <message>
        <source>Ask the user to read the code again; they can get a new one.</source>
        <translation>Požiadajte používateľa, aby kód prečítal znova; môže si vyžiadať nový.</translation>
    </message>
    <message>
        <source>Try again. If it keeps failing, run &apos;podpora check HOST&apos;.</source>
        <translation>Skúste to znova. Ak to stále zlyháva, spustite &apos;podpora check HOST&apos;.</translation>
    </message>
</context>
<context>
    <name>ConsentDialog</name>
    <message>
        <source>See your screen</source>
        <translation>Vidieť vašu obrazovku</translation>
    </message>
    <message>
        <source>Use your mouse and keyboard</source>
        <translation>Používať vašu myš a klávesnicu</translation>
    </message>
    <message>
        <source>Copy and paste text between your computer and theirs</source>
        <translation>Kopírovať a vkladať text medzi vaším a jeho počítačom</translation>
    </message>
    <message>
        <source>Run checks on your computer (each repair asks you again)</source>
        <translation>Spúšťať kontroly na vašom počítači (na každú opravu sa vás opýtame znova)</translation>
    </message>
    <message>
        <source>Someone asks to help you</source>
        <translation>Niekto vám chce pomôcť</translation>
    </message>
    <message>
        <source>{name} asks to connect to your computer</source>
        <translation>{name} žiada o pripojenie k vášmu počítaču</translation>
    </message>
    <message>
        <source>Key fingerprint: {fingerprint}</source>
        <translation>Odtlačok kľúča: {fingerprint}</translation>
    </message>
    <message>
        <source>Verified by your organisation: {organisation}</source>
        <translation>Overené vašou organizáciou: {organisation}</translation>
    </message>
    <message>
        <source>Warning: this person is NOT verified by your organisation. Only accept if you are sure who they are.</source>
        <translation>Pozor: táto osoba NIE JE overená vašou organizáciou. Prijmite len vtedy, ak viete naisto, kto to je.</translation>
    </message>
    <message>
        <source>Reason: {reason}</source>
        <translation>Dôvod: {reason}</translation>
    </message>
    <message>
        <source>They ask to:</source>
        <translation>Žiada o:</translation>
    </message>
    <message>
        <source>Only accept if you contacted your IT support yourself. Nobody from IT will call you out of the blue and ask for this.</source>
        <translation>Prijmite len vtedy, ak ste IT podporu kontaktovali sami. Nikto z IT vám nezavolá nečakane a nebude o to žiadať.</translation>
    </message>
    <message>
        <source>You can pause or end the session at any time with the buttons that stay on your screen.</source>
        <translation>Reláciu môžete kedykoľvek pozastaviť alebo ukončiť tlačidlami, ktoré zostanú na obrazovke.</translation>
    </message>
    <message>
        <source>Deny</source>
        <translation>Odmietnuť</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>Prijať</translation>
    </message>
    <message numerus="yes">
        <source>Closes in %n second(s) (that counts as Deny).</source>
        <translation>
            <numerusform>Zatvorí sa o %n sekundu (to znamená odmietnutie).</numerusform>
            <numerusform>Zatvorí sa o %n sekundy (to znamená odmietnutie).</numerusform>
            <numerusform>Zatvorí sa o %n sekúnd (to znamená odmietnutie).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConsoleWindow</name>
    <message>
        <source>Podpora – Technician console</source>
        <extracomment>Each pending attempt&apos;s cancel event: *Cancel* (or closing the window) sets it, and the SSH layer closes the attempt&apos;s sockets at once instead of waiting out a stalled server.</extracomment>
        <translation>Podpora – Konzola technika</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>&amp;Relácia</translation>
    </message>
    <message>
        <source>&amp;Connect…</source>
        <translation>&amp;Pripojiť…</translation>
    </message>
    <message>
        <source>&amp;End session</source>
        <translation>&amp;Ukončiť reláciu</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Koniec</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Nástroje</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Nastavenia…</translation>
    </message>
    <message>
        <source>First-run &amp;assistant…</source>
        <translation>&amp;Sprievodca prvým spustením…</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Jazyk</translation>
    </message>
    <message>
        <source>No session open</source>
        <translation>Žiadna otvorená relácia</translation>
    </message>
    <message>
        <source>Pick a machine on the left, or connect with a session code the user reads out to you. The user sees who you are and decides what you may do.</source>
        <translation>Vyberte počítač vľavo alebo sa pripojte pomocou kódu relácie, ktorý vám používateľ prečíta. Používateľ uvidí, kto ste, a rozhodne, čo smiete robiť.</translation>
    </message>
    <message>
        <source>Connect…</source>
        <translation>Pripojiť…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Zrušiť</translation>
    </message>
    <message>
        <source>Connecting is not available in this build.</source>
        <translation>Pripojenie nie je v tomto zostavení k dispozícii.</translation>
    </message>
    <message>
        <source>Connecting to {target}…</source>
        <translation>Pripája sa k {target}…</translation>
    </message>
    <message>
        <source>Connecting to {target} was cancelled.</source>
        <translation>Pripájanie k {target} bolo zrušené.</translation>
    </message>
    <message>
        <source>Could not connect to {target}</source>
        <translation>Nepodarilo sa pripojiť k {target}</translation>
    </message>
    <message>
        <source>No session</source>
        <translation>Žiadna relácia</translation>
    </message>
</context>
<context>
    <name>DemoConsole</name>
    <message>
        <source>Demo finished: the case was delivered and verified; its report is open.</source>
        <extracomment>(event, timeout) -&gt; the user machine&apos;s event of that kind (blocking), e.g. &quot;summary&quot;. Runs the case export&apos;s delivery checks and returns the report to open (blocking). Where to save pictures of the console at the demo&apos;s key moments (the README&apos;s screenshots), if set.</extracomment>
        <translation>Ukážka skončila: prípad bol doručený a overený; jeho správa je otvorená.</translation>
    </message>
    <message>
        <source>The demo stopped: {reason}</source>
        <translation>Ukážka sa zastavila: {reason}</translation>
    </message>
</context>
<context>
    <name>DiagnosticsPanel</name>
    <message>
        <source>Search scripts</source>
        <translation>Hľadať skripty</translation>
    </message>
    <message>
        <source>Run selected</source>
        <translation>Spustiť vybrané</translation>
    </message>
    <message>
        <source>Run all checks</source>
        <translation>Spustiť všetky kontroly</translation>
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
        <translation>Zistenie</translation>
    </message>
    <message>
        <source>Repair…</source>
        <translation>Opraviť…</translation>
    </message>
    <message>
        <source>Diagnostics are not available in this session.</source>
        <translation>Diagnostika nie je v tejto relácii k dispozícii.</translation>
    </message>
    <message>
        <source>Information</source>
        <translation>Informácie</translation>
    </message>
    <message>
        <source>Installation</source>
        <translation>Inštalácia</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>Konfigurácia</translation>
    </message>
    <message>
        <source>Repairs</source>
        <translation>Opravy</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>V poriadku</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Varovanie</translation>
    </message>
    <message>
        <source>Fail</source>
        <translation>Zlyhanie</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Chyba</translation>
    </message>
    <message numerus="yes">
        <source>Running %n script(s)…</source>
        <translation>
            <numerusform>Beží %n skript…</numerusform>
            <numerusform>Bežia %n skripty…</numerusform>
            <numerusform>Beží %n skriptov…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n check(s) need attention.</source>
        <translation>
            <numerusform>%n kontrola si vyžaduje pozornosť.</numerusform>
            <numerusform>%n kontroly si vyžadujú pozornosť.</numerusform>
            <numerusform>%n kontrol si vyžaduje pozornosť.</numerusform>
        </translation>
    </message>
    <message>
        <source>All checks passed.</source>
        <translation>Všetky kontroly prešli.</translation>
    </message>
    <message>
        <source>Diagnostics failed: {reason}</source>
        <translation>Diagnostika zlyhala: {reason}</translation>
    </message>
    <message>
        <source>Waiting for the user to approve the repair…</source>
        <translation>Čakáme, kým používateľ opravu schváli…</translation>
    </message>
    <message>
        <source>The user declined the repair. Nothing was changed.</source>
        <translation>Používateľ opravu odmietol. Nič sa nezmenilo.</translation>
    </message>
    <message>
        <source>Repair finished. Before and after:</source>
        <translation>Oprava dokončená. Pred a po:</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export case</source>
        <translation>Export prípadu</translation>
    </message>
    <message>
        <source>Deliver to:</source>
        <translation>Doručiť do:</translation>
    </message>
    <message>
        <source>Ticket:</source>
        <translation>Požiadavka:</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportovať</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Zavrieť</translation>
    </message>
    <message>
        <source>Building the case bundle…</source>
        <translation>Zostavuje sa balík prípadu…</translation>
    </message>
    <message>
        <source>The case was delivered.</source>
        <translation>Prípad bol doručený.</translation>
    </message>
    <message>
        <source>The export failed: {reason}. It stays in the outbox and is retried.</source>
        <translation>Export zlyhal: {reason}. Zostáva vo fronte na odoslanie a skúsi sa znova.</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>Welcome to Podpora</source>
        <translation>Vitajte v Podpore</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Vitajte</translation>
    </message>
    <message>
        <source>Three short steps and you are ready for your first session: your name and key, your organisation&apos;s certificate, and (optionally) your ticket system. You can change all of it later in Settings.</source>
        <translation>Tri krátke kroky a ste pripravení na prvú reláciu: vaše meno a kľúč, certifikát vašej organizácie a (voliteľne) systém požiadaviek. Všetko môžete neskôr zmeniť v Nastaveniach.</translation>
    </message>
    <message>
        <source>Your identity</source>
        <translation>Vaša identita</translation>
    </message>
    <message>
        <source>Users see this name when you ask to connect.</source>
        <translation>Používatelia uvidia toto meno, keď požiadate o pripojenie.</translation>
    </message>
    <message>
        <source>Your name, e.g. Jana Nováková</source>
        <translation>Vaše meno, napr. Jana Nováková</translation>
    </message>
    <message>
        <source>Create my Ed25519 key</source>
        <translation>Vytvoriť môj kľúč Ed25519</translation>
    </message>
    <message>
        <source>Organisation certificate</source>
        <translation>Certifikát organizácie</translation>
    </message>
    <message>
        <source>With it, users see that your organisation vouches for you. Without it they see a warning.</source>
        <translation>Vďaka nemu používatelia vidia, že sa za vás vaša organizácia zaručuje. Bez neho uvidia varovanie.</translation>
    </message>
    <message>
        <source>Import the organisation&apos;s certificate…</source>
        <translation>Importovať certifikát organizácie…</translation>
    </message>
    <message>
        <source>Ticket system (optional)</source>
        <translation>Systém požiadaviek (voliteľné)</translation>
    </message>
    <message>
        <source>Cases go to a folder until you connect a ticket system.</source>
        <translation>Kým nepripojíte systém požiadaviek, prípady sa ukladajú do priečinka.</translation>
    </message>
    <message>
        <source>Address, e.g. https://helpdesk.example.org</source>
        <translation>Adresa, napr. https://helpdesk.example.org</translation>
    </message>
    <message>
        <source>Key created: {path}</source>
        <translation>Kľúč vytvorený: {path}</translation>
    </message>
    <message>
        <source>Could not create the key: {reason}</source>
        <translation>Kľúč sa nepodarilo vytvoriť: {reason}</translation>
    </message>
    <message>
        <source>Certificate imported.</source>
        <translation>Certifikát importovaný.</translation>
    </message>
    <message>
        <source>Could not import the certificate: {reason}</source>
        <translation>Certifikát sa nepodarilo importovať: {reason}</translation>
    </message>
</context>
<context>
    <name>HostKeyDialog</name>
    <message>
        <source>Unknown host key</source>
        <translation>Neznámy kľúč hostiteľa</translation>
    </message>
    <message>
        <source>First connection to {host}</source>
        <translation>Prvé pripojenie k {host}</translation>
    </message>
    <message>
        <source>Podpora has not seen this machine before. Compare this fingerprint with the one your administrator gave you (or run &apos;ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub&apos; on the machine). Trust it only if they match.</source>
        <translation>Podpora sa k tomuto počítaču ešte nepripájala. Porovnajte tento odtlačok s odtlačkom od správcu (alebo na počítači spustite &apos;ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub&apos;). Dôverujte mu, len ak sa zhodujú.</translation>
    </message>
    <message>
        <source>Key type: {type}</source>
        <translation>Typ kľúča: {type}</translation>
    </message>
    <message>
        <source>Refuse</source>
        <translation>Odmietnuť</translation>
    </message>
    <message>
        <source>Trust once</source>
        <translation>Dôverovať raz</translation>
    </message>
    <message>
        <source>Trust and remember</source>
        <translation>Dôverovať a zapamätať</translation>
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
        <translation>Pamäť: {value:.0f} %</translation>
    </message>
    <message>
        <source>Disk (/): {value:.0f} %</source>
        <translation>Disk (/): {value:.0f} %</translation>
    </message>
    <message>
        <source>Network: {value:.0f} KB/s</source>
        <translation>Sieť: {value:.0f} KB/s</translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <source>Key passphrase</source>
        <extracomment>What the session factory gets to ask the technician with: the shared asker, or one attempt&apos;s (with its cancel).</extracomment>
        <translation>Heslo ku kľúču</translation>
    </message>
    <message>
        <source>Passphrase for the key {path}:</source>
        <translation>Heslo ku kľúču {path}:</translation>
    </message>
</context>
<context>
    <name>RatingRow</name>
    <message>
        <source>Poor</source>
        <translation>Zle</translation>
    </message>
    <message>
        <source>Excellent</source>
        <translation>Výborne</translation>
    </message>
</context>
<context>
    <name>RecoveryDialog</name>
    <message>
        <source>Interrupted case</source>
        <translation>Prerušený prípad</translation>
    </message>
    <message>
        <source>The case {case} from {time} was interrupted. Its record is intact up to the last event.</source>
        <translation>Prípad {case} z {time} bol prerušený. Jeho záznam je neporušený až po poslednú udalosť.</translation>
    </message>
    <message>
        <source>An incomplete last write will be set aside and kept next to the record.</source>
        <translation>Neúplný posledný zápis bude odložený a uložený vedľa záznamu.</translation>
    </message>
    <message>
        <source>Finish it now: the record is closed with a note that it was recovered after a crash, and you can export it. Or leave it for later: it is offered again the next time the console starts.</source>
        <translation>Dokončite ho hneď: záznam sa uzavrie s poznámkou, že bol obnovený po páde, a môžete ho exportovať. Alebo ho nechajte na neskôr: ponúkne sa znova pri ďalšom spustení konzoly.</translation>
    </message>
    <message>
        <source>Finish and export…</source>
        <translation>Dokončiť a exportovať…</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>Neskôr</translation>
    </message>
    <message>
        <source>Finishing the case…</source>
        <translation>Dokončujem prípad…</translation>
    </message>
    <message>
        <source>The case was finished.</source>
        <translation>Prípad bol dokončený.</translation>
    </message>
    <message>
        <source>The case could not be finished: {reason}. It stays as it is.</source>
        <translation>Prípad sa nepodarilo dokončiť: {reason}. Zostáva, ako je.</translation>
    </message>
</context>
<context>
    <name>RepairApprovalDialog</name>
    <message>
        <source>Approve a change</source>
        <translation>Schválenie zmeny</translation>
    </message>
    <message>
        <source>{name} wants to: {title}</source>
        <translation>{name} chce: {title}</translation>
    </message>
    <message>
        <source>What this changes</source>
        <translation>Čo sa tým zmení</translation>
    </message>
    <message>
        <source>How to undo it</source>
        <translation>Ako to vrátiť späť</translation>
    </message>
    <message>
        <source>This needs administrator rights on your computer.</source>
        <translation>Na to sú potrebné práva správcu vášho počítača.</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Odmietnuť</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Schváliť</translation>
    </message>
    <message numerus="yes">
        <source>Closes in %n second(s) (that counts as Decline).</source>
        <translation>
            <numerusform>Zatvorí sa o %n sekundu (to znamená odmietnutie).</numerusform>
            <numerusform>Zatvorí sa o %n sekundy (to znamená odmietnutie).</numerusform>
            <numerusform>Zatvorí sa o %n sekúnd (to znamená odmietnutie).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReportWindow</name>
    <message>
        <source>Case report – {name}</source>
        <translation>Správa o prípade – {name}</translation>
    </message>
    <message>
        <source>Open in browser</source>
        <translation>Otvoriť v prehliadači</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Zavrieť</translation>
    </message>
    <message>
        <source>The report could not be read: {reason}</source>
        <translation>Správu sa nepodarilo prečítať: {reason}</translation>
    </message>
</context>
<context>
    <name>SaveEntryDialog</name>
    <message>
        <source>Save a machine</source>
        <translation>Uložiť počítač</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Názov:</translation>
    </message>
    <message>
        <source>Host or alias:</source>
        <translation>Hostiteľ alebo alias:</translation>
    </message>
    <message>
        <source>Tags (separated by spaces):</source>
        <translation>Štítky (oddelené medzerami):</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>Poznámka:</translation>
    </message>
    <message>
        <source>e.g. office-pc or jana@10.0.0.7</source>
        <translation>napr. office-pc alebo jana@10.0.0.7</translation>
    </message>
</context>
<context>
    <name>SessionIndicator</name>
    <message>
        <source>{name} is disconnected and cannot see or control anything. Waiting for them to return…</source>
        <translation>{name}: spojenie je prerušené, nič nevidí ani neovláda. Čakáme na opätovné pripojenie…</translation>
    </message>
    <message>
        <source>Paused: {name} cannot see your screen right now</source>
        <translation>Pozastavené: {name} teraz nevidí vašu obrazovku</translation>
    </message>
    <message>
        <source>{name} can see and control your screen</source>
        <translation>{name} vidí a ovláda vašu obrazovku</translation>
    </message>
    <message>
        <source>{name} can see your screen</source>
        <translation>{name} vidí vašu obrazovku</translation>
    </message>
    <message>
        <source>{name} is connected but cannot see your screen</source>
        <translation>{name} je pripojený(á), ale nevidí vašu obrazovku</translation>
    </message>
    <message>
        <source>Podpora session</source>
        <translation>Relácia Podpory</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Pokračovať</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pozastaviť</translation>
    </message>
    <message>
        <source>Take back control</source>
        <translation>Prevziať ovládanie späť</translation>
    </message>
    <message>
        <source>End session</source>
        <translation>Ukončiť reláciu</translation>
    </message>
</context>
<context>
    <name>SessionTab</name>
    <message>
        <source>Live figures appear here in direct sessions to Linux machines.</source>
        <translation>Živé hodnoty sa tu zobrazujú v priamych reláciách s počítačmi s Linuxom.</translation>
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
        <translation>Prípad</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Naživo</translation>
    </message>
    <message>
        <source>Fit to window</source>
        <translation>Prispôsobiť oknu</translation>
    </message>
    <message>
        <source>Scale the screen to the window; off shows it 1:1 with scrolling</source>
        <translation>Prispôsobí obrazovku veľkosti okna; vypnuté zobrazí 1:1 s posúvačmi</translation>
    </message>
    <message>
        <source>View only</source>
        <translation>Len sledovať</translation>
    </message>
    <message>
        <source>Special keys</source>
        <translation>Špeciálne klávesy</translation>
    </message>
    <message>
        <source>Send Ctrl+Alt+Del</source>
        <translation>Poslať Ctrl+Alt+Del</translation>
    </message>
    <message>
        <source>Send Alt+Tab</source>
        <translation>Poslať Alt+Tab</translation>
    </message>
    <message>
        <source>Send Alt+F4</source>
        <translation>Poslať Alt+F4</translation>
    </message>
    <message>
        <source>Send the Windows/Super key</source>
        <translation>Poslať kláves Windows/Super</translation>
    </message>
    <message>
        <source>Send Ctrl+Esc</source>
        <translation>Poslať Ctrl+Esc</translation>
    </message>
    <message>
        <source>Send Print Screen</source>
        <translation>Poslať Print Screen</translation>
    </message>
    <message>
        <source>Ask for control</source>
        <translation>Požiadať o ovládanie</translation>
    </message>
    <message>
        <source>End session</source>
        <translation>Ukončiť reláciu</translation>
    </message>
    <message>
        <source>Session ended</source>
        <translation>Relácia sa skončila</translation>
    </message>
    <message>
        <source>Paused by the user</source>
        <translation>Pozastavené používateľom</translation>
    </message>
    <message>
        <source>Waiting for the user&apos;s consent</source>
        <translation>Čaká sa na súhlas používateľa</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Odmietnuté</translation>
    </message>
    <message>
        <source>view</source>
        <translation>sledovanie</translation>
    </message>
    <message>
        <source>control</source>
        <translation>ovládanie</translation>
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
        <translation>Povolené: {capabilities}</translation>
    </message>
    <message>
        <source>Pairing with the user&apos;s computer…</source>
        <translation>Párovanie s počítačom používateľa…</translation>
    </message>
    <message>
        <source>Waiting for the user to accept…</source>
        <translation>Čaká sa, kým používateľ prijme…</translation>
    </message>
    <message>
        <source>The user refused. Nothing was shared.</source>
        <translation>Používateľ odmietol. Nič sa nezdieľalo.</translation>
    </message>
    <message>
        <source>The user paused the session.</source>
        <translation>Používateľ reláciu pozastavil.</translation>
    </message>
    <message>
        <source>Connection lost, reconnecting…</source>
        <translation>Spojenie sa stratilo, obnovuje sa…</translation>
    </message>
    <message>
        <source>The session has ended.</source>
        <translation>Relácia sa skončila.</translation>
    </message>
    <message>
        <source>Waiting for the first picture…</source>
        <translation>Čaká sa na prvý obraz…</translation>
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
        <translation>Používateľ prevzal ovládanie späť.</translation>
    </message>
    <message>
        <source>Reconnected</source>
        <translation>Spojenie obnovené</translation>
    </message>
    <message>
        <source>Chat •</source>
        <translation>Chat •</translation>
    </message>
    <message>
        <source>The user rated this session {rating} out of 5.</source>
        <translation>Používateľ ohodnotil túto reláciu {rating} z 5.</translation>
    </message>
    <message>
        <source>Comment: {comment}</source>
        <translation>Komentár: {comment}</translation>
    </message>
    <message>
        <source>The user&apos;s computer runs a Wayland desktop session, which cannot be shown yet. Ask the user to log out and choose an Xorg (X11) session.</source>
        <translation>Počítač používateľa používa reláciu Wayland, ktorú zatiaľ nemožno zobraziť. Požiadajte používateľa, aby sa odhlásil a na prihlasovacej obrazovke zvolil reláciu Xorg (X11).</translation>
    </message>
    <message>
        <source>The user&apos;s computer has no desktop to show.</source>
        <translation>Počítač používateľa nemá žiadnu plochu, ktorú by bolo možné zobraziť.</translation>
    </message>
    <message>
        <source>The user&apos;s screen cannot be reached right now.</source>
        <translation>Obrazovka používateľa teraz nie je dostupná.</translation>
    </message>
    <message>
        <source>The screen being shown is gone (a monitor was unplugged or switched off).</source>
        <translation>Zobrazovaná obrazovka zmizla (monitor bol odpojený alebo vypnutý).</translation>
    </message>
    <message>
        <source>Clipboard content the user copied while the connection was down was not sent: the user turned clipboard sharing off meanwhile.</source>
        <translation>Obsah schránky, ktorý používateľ skopíroval počas výpadku spojenia, nebol odoslaný: používateľ medzitým zdieľanie schránky vypol.</translation>
    </message>
    <message>
        <source>The user&apos;s computer says: {text}</source>
        <translation>Počítač používateľa hlási: {text}</translation>
    </message>
    <message>
        <source>The session code was wrong. Ask the user to read it again.</source>
        <translation>Kód relácie bol nesprávny. Požiadajte používateľa, aby ho prečítal znova.</translation>
    </message>
    <message>
        <source>The user ended the session.</source>
        <translation>Používateľ reláciu ukončil.</translation>
    </message>
    <message>
        <source>You ended the session.</source>
        <translation>Reláciu ste ukončili.</translation>
    </message>
    <message>
        <source>The connection was lost.</source>
        <translation>Spojenie sa stratilo.</translation>
    </message>
    <message>
        <source>The connection was lost and could not be restored.</source>
        <translation>Spojenie sa stratilo a nepodarilo sa ho obnoviť.</translation>
    </message>
    <message>
        <source>The user&apos;s computer no longer has this session (the assist app was closed or restarted).</source>
        <translation>Počítač používateľa už túto reláciu nemá (aplikácia na pomoc bola zatvorená alebo reštartovaná).</translation>
    </message>
    <message>
        <source>Another computer answered instead of the user&apos;s; the session was closed for safety.</source>
        <translation>Namiesto počítača používateľa odpovedal iný počítač; relácia bola z bezpečnostných dôvodov ukončená.</translation>
    </message>
    <message>
        <source>The session code expired. Ask the user for the new one.</source>
        <translation>Platnosť kódu relácie vypršala. Požiadajte používateľa o nový.</translation>
    </message>
    <message>
        <source>Session ended: {reason}</source>
        <translation>Relácia sa skončila: {reason}</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Vy</translation>
    </message>
    <message>
        <source>Asked the user for control.</source>
        <translation>Používateľ bol požiadaný o ovládanie.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <extracomment>File names shared with ``podpora case export`` (which signs bundles with the same key).</extracomment>
        <translation>Nastavenia</translation>
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
        <translation>Systém požiadaviek</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Vzhľad</translation>
    </message>
    <message>
        <source>Shortcuts</source>
        <translation>Klávesové skratky</translation>
    </message>
    <message>
        <source>Your name (shown to users):</source>
        <translation>Vaše meno (uvidia ho používatelia):</translation>
    </message>
    <message>
        <source>Create my Ed25519 key</source>
        <translation>Vytvoriť môj kľúč Ed25519</translation>
    </message>
    <message>
        <source>Public key (send it to your organisation to be certified):</source>
        <translation>Verejný kľúč (pošlite ho svojej organizácii na certifikáciu):</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopírovať</translation>
    </message>
    <message>
        <source>Import the organisation&apos;s certificate…</source>
        <translation>Importovať certifikát organizácie…</translation>
    </message>
    <message>
        <source>Name, e.g. Prague office</source>
        <translation>Názov, napr. Pražská pobočka</translation>
    </message>
    <message>
        <source>SSH alias or host</source>
        <translation>Alias SSH alebo hostiteľ</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Pridať</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Odobrať</translation>
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
        <translation>Používateľ alebo e-mail:</translation>
    </message>
    <message>
        <source>API key or password:</source>
        <translation>Kľúč API alebo heslo:</translation>
    </message>
    <message>
        <source>Stored in the system keyring, never in a file</source>
        <translation>Uloží sa do systémovej kľúčenky, nikdy do súboru</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Jazyk:</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>Motív:</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>Podľa systému</translation>
    </message>
    <message>
        <source>Reset to the defaults</source>
        <translation>Obnoviť predvolené</translation>
    </message>
    <message>
        <source>Click a field and press the new keys; the clear button removes a shortcut. While the remote screen has the keyboard focus, every other key goes to the remote machine; Ctrl+Alt+Del and other keys your own computer would keep are in the session&apos;s Special keys menu.</source>
        <translation>Kliknite do poľa a stlačte nové klávesy; tlačidlo na vymazanie skratku odstráni. Keď má vzdialená obrazovka fokus klávesnice, všetky ostatné klávesy idú do vzdialeného počítača; Ctrl+Alt+Del a ďalšie klávesy, ktoré by si ponechal váš vlastný počítač, nájdete v ponuke relácie Špeciálne klávesy.</translation>
    </message>
    <message>
        <source>Connect to a machine</source>
        <translation>Pripojiť sa k počítaču</translation>
    </message>
    <message>
        <source>End the session in front</source>
        <translation>Ukončiť zobrazenú reláciu</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Ukončiť</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Svetlý</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Tmavý</translation>
    </message>
    <message>
        <source>{keys} is already the shortcut for “{command}”. Pick other keys.</source>
        <translation>{keys} je už skratka pre „{command}“. Zvoľte iné klávesy.</translation>
    </message>
    <message>
        <source>Your key: created.</source>
        <translation>Váš kľúč: vytvorený.</translation>
    </message>
    <message>
        <source>Your key: not created yet.</source>
        <translation>Váš kľúč: zatiaľ nevytvorený.</translation>
    </message>
    <message>
        <source>Organisation certificate: imported.</source>
        <translation>Certifikát organizácie: importovaný.</translation>
    </message>
    <message>
        <source>Organisation certificate: none. Users will see that you are not verified.</source>
        <translation>Certifikát organizácie: žiadny. Používatelia uvidia, že nie ste overení.</translation>
    </message>
    <message>
        <source>Could not create the key: {reason}</source>
        <translation>Kľúč sa nepodarilo vytvoriť: {reason}</translation>
    </message>
    <message>
        <source>Organisation certificate</source>
        <translation>Certifikát organizácie</translation>
    </message>
    <message>
        <source>Could not import the certificate: {reason}</source>
        <translation>Certifikát sa nepodarilo importovať: {reason}</translation>
    </message>
    <message>
        <source>The secret was not stored: there is no system keyring ({reason}).</source>
        <translation>Tajný údaj nebol uložený: systémová kľúčenka nie je k dispozícii ({reason}).</translation>
    </message>
</context>
<context>
    <name>SudoPasswordAsker</name>
    <message>
        <source>Administrator password</source>
        <translation>Heslo správcu</translation>
    </message>
    <message>
        <source>A script needs administrator rights on {host}. Enter your sudo password there:</source>
        <translation>Skript potrebuje na počítači {host} práva správcu. Zadajte svoje heslo pre sudo na tomto počítači:</translation>
    </message>
    <message>
        <source>That password was not accepted. Try again.</source>
        <translation>Toto heslo nebolo prijaté. Skúste to znova.</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>Something unexpected went wrong: {0}</source>
        <extracomment>Languages Podpora speaks, in the order the language menus list them. Each language&apos;s own name, shown in menus so people find their language even when the UI is foreign.</extracomment>
        <translation>Stalo sa niečo neočakávané: {0}</translation>
    </message>
</context>
<context>
    <name>podpora</name>
    <message>
        <source>The case log could not be saved ({reason}). Remote control is stopped so that nothing happens without a record.</source>
        <translation>Záznam prípadu sa nepodarilo uložiť ({reason}). Vzdialené ovládanie je zastavené, aby sa nič nedialo bez záznamu.</translation>
    </message>
    <message>
        <source>The case log was changed outside Podpora: record {seq} does not verify.</source>
        <translation>Záznam prípadu bol zmenený mimo Podpory: záznam {seq} neprešiel overením.</translation>
    </message>
    <message>
        <source>Keystrokes are never recorded in the case log.</source>
        <translation>Stlačenia klávesov sa do záznamu prípadu nikdy neukladajú.</translation>
    </message>
    <message>
        <source>This case log can still be read and exported, but no more events can be added to it: its sealing key is missing or damaged. Start a new case.</source>
        <translation>Záznam prípadu sa dá stále čítať a exportovať, ale nedajú sa doň pridávať ďalšie udalosti: jeho pečatiaci kľúč chýba alebo je poškodený. Založte nový prípad.</translation>
    </message>
    <message>
        <source>The case log cannot be opened with this computer&apos;s key.</source>
        <translation>Záznam prípadu nemožno otvoriť kľúčom tohto počítača.</translation>
    </message>
    <message>
        <source>No {name} is stored for {system}. Store it with `podpora outbox login {system} {name}` (kept in the system keyring) or set {env}.</source>
        <translation>Pre {system} nie je uložený údaj {name}. Uložte ho príkazom `podpora outbox login {system} {name}` (zostane v systémovej kľúčenke) alebo nastavte {env}.</translation>
    </message>
    <message>
        <source>The case-log key file {path} can be read by other users. Fix it with: chmod 600 {path}</source>
        <translation>Súbor s kľúčom záznamu prípadov {path} môžu čítať iní používatelia. Opravte to príkazom: chmod 600 {path}</translation>
    </message>
    <message>
        <source>There is no system keyring to store the {name} for {system}. Set {env} instead.</source>
        <translation>Nie je k dispozícii systémová kľúčenka na uloženie údaja {name} pre {system}. Nastavte namiesto toho {env}.</translation>
    </message>
    <message>
        <source>The diagnostics settings {source} are invalid at &apos;{key}&apos;: {problem}</source>
        <extracomment>The shipped library per target platform; a catalog holds the scripts of one platform.</extracomment>
        <translation>Nastavenia diagnostiky {source} sú neplatné pri &apos;{key}&apos;: {problem}</translation>
    </message>
    <message>
        <source>The script description {source} is invalid at &apos;{key}&apos;: {problem}</source>
        <translation>Popis skriptu {source} je neplatný pri &apos;{key}&apos;: {problem}</translation>
    </message>
    <message>
        <source>The script {source} was refused because {reason}. Nothing was run.</source>
        <translation>Skript {source} bol odmietnutý, pretože {reason}. Nič sa nespustilo.</translation>
    </message>
    <message>
        <source>The key file {path} cannot be used: {problem}</source>
        <translation>Súbor s kľúčom {path} nemožno použiť: {problem}</translation>
    </message>
    <message>
        <source>The value for &apos;{name}&apos; of the script {script_id} is not accepted: {problem}</source>
        <translation>Hodnota &apos;{name}&apos; pre skript {script_id} nie je prijateľná: {problem}</translation>
    </message>
    <message>
        <source>There is no verified script called &apos;{script_id}&apos;. See &apos;podpora diag list&apos;.</source>
        <translation>Overený skript s názvom &apos;{script_id}&apos; neexistuje. Pozrite &apos;podpora diag list&apos;.</translation>
    </message>
    <message>
        <source>The result file {path} cannot be read: {problem}</source>
        <translation>Súbor s výsledkami {path} nemožno prečítať: {problem}</translation>
    </message>
    <message>
        <source>Your organisation&apos;s Podpora settings ({file}) cannot be used: {problem}. Please tell your IT department.</source>
        <translation>Nastavenia Podpory vašej organizácie ({file}) nemožno použiť: {problem}. Dajte, prosím, vedieť svojmu IT oddeleniu.</translation>
    </message>
    <message>
        <source>Your organisation&apos;s Podpora settings ({file}) have a problem with the setting “{key}”: {problem}. Please tell your IT department.</source>
        <translation>Nastavenia Podpory vašej organizácie ({file}) majú problém s položkou „{key}“: {problem}. Dajte, prosím, vedieť svojmu IT oddeleniu.</translation>
    </message>
    <message>
        <source>This computer uses a Wayland desktop session. Podpora cannot show or control the screen in it yet. Log out and choose an &quot;Xorg&quot; or &quot;X11&quot; session on the login screen, then try again.</source>
        <extracomment>The largest picture the agent sends, per side and in total. The console&apos;s decoder (``app.remote.encode.FrameDecoder``) refuses a screen wider or taller than 8192 px or larger than 8K UHD, and the protocol cannot negotiate other limits yet, so these are fixed; a test keeps them within the decoder&apos;s. A larger monitor (Xvfb allows 16384×16384 and more) is sent downscaled by a whole factor. A downscaled monitor is grabbed and scaled in strips of about this many bytes (at least one block row), so a 16384×16384 screen (1 GiB of BGRA) is never held at full size in the agent: one strip at a time. The whole factor the picture is downscaled by (1: full size); see :func:`downscale_factor`.</extracomment>
        <translation>Tento počítač používa reláciu Wayland. Podpora v nej zatiaľ nedokáže zobraziť ani ovládať obrazovku. Odhláste sa, na prihlasovacej obrazovke zvoľte reláciu „Xorg“ alebo „X11“ a skúste to znova.</translation>
    </message>
    <message>
        <source>There is no graphical desktop to share here. Start Podpora from inside your desktop session.</source>
        <translation>Nie je tu žiadna grafická plocha na zdieľanie. Spustite Podporu vo svojej relácii pracovnej plochy.</translation>
    </message>
    <message>
        <source>Podpora cannot reach the desktop display {display}. Start Podpora from inside your desktop session.</source>
        <translation>Podpora sa nemôže pripojiť k displeju {display}. Spustite Podporu vo svojej relácii pracovnej plochy.</translation>
    </message>
    <message>
        <source>The shared monitor was disconnected. Choose another monitor.</source>
        <translation>Zdieľaný monitor bol odpojený. Vyberte iný monitor.</translation>
    </message>
    <message>
        <source>The connection to the other side was lost ({reason}).</source>
        <extracomment>Largest frame on the wire: the largest message plus the sealing overhead. Longest length header: LEB128 of MAX_FRAME_BYTES (under 2**28) takes four bytes. Before pairing, a peer has proven nothing: its frames (Hello and the SPAKE2 messages) must stay small. Once a frame has started, all of it must arrive within this time (a trickling peer is cut off).</extracomment>
        <translation>Spojenie s druhou stranou sa stratilo ({reason}).</translation>
    </message>
    <message>
        <source>The picture from the other computer arrived damaged, so the connection was closed. Connect again; if it keeps happening, report it.</source>
        <extracomment>Rows are hashed in this many vertical slices. A row belongs to a moved band when all slices but the last match: a scrollbar&apos;s thumb beside the text changes the right edge of the rows next to it, and those rows still moved. The tile diff after the copy resends what the copy got wrong there. (Tolerating any one slice let short lines of a terminal, blank on the right, join bands they did not belong to.)</extracomment>
        <translation>Obraz z druhého počítača prišiel poškodený, preto bolo spojenie ukončené. Pripojte sa znova; ak sa to opakuje, nahláste to.</translation>
    </message>
    <message>
        <source>Podpora cannot control the mouse and keyboard in this desktop session. The technician can still see the screen.</source>
        <translation>Podpora v tejto relácii nemôže ovládať myš a klávesnicu. Technik však obrazovku stále vidí.</translation>
    </message>
    <message>
        <source>OpenSSH&apos;s sshd is not installed. Run scripts/setup (Debian package openssh-server).</source>
        <translation>Server sshd z OpenSSH nie je nainštalovaný. Spustite scripts/setup (balík Debianu openssh-server).</translation>
    </message>
    <message>
        <source>The session code was not accepted. Check the code and try again.</source>
        <extracomment>Three groups of three digits: 10^9 codes (~30 bits). With 3 attempts per code and SPAKE2 allowing one guess per attempt, a guesser succeeds with probability 3·10⁻⁹ per code shown. Across all codes: after this many failed attempts within the window, pairing locks until the window passes. An attempt still open after this long was abandoned by a connection that never reported back.</extracomment>
        <translation>Kód relácie nebol prijatý. Skontrolujte kód a skúste to znova.</translation>
    </message>
    <message>
        <source>The connection was tampered with or broken; the session was closed for safety.</source>
        <translation>Do spojenia niekto zasiahol alebo sa prerušilo; relácia bola z bezpečnostných dôvodov ukončená.</translation>
    </message>
    <message>
        <source>Too many wrong codes. Wait a few minutes and try again.</source>
        <translation>Príliš veľa nesprávnych kódov. Počkajte niekoľko minút a skúste to znova.</translation>
    </message>
    <message>
        <source>The user is not asking for help right now.</source>
        <translation>Používateľ práve nežiada o pomoc.</translation>
    </message>
    <message>
        <source>The session code expired. Ask for the new code.</source>
        <translation>Platnosť kódu relácie vypršala. Požiadajte o nový kód.</translation>
    </message>
    <message>
        <source>A session code has 9 digits, like 123-456-789.</source>
        <extracomment>A short, non-secret fingerprint of this session (both sides compute the same one), for the journal.</extracomment>
        <translation>Kód relácie má 9 číslic, napríklad 123-456-789.</translation>
    </message>
    <message>
        <source>The other side sent something invalid; the session was closed.</source>
        <extracomment>Largest encoded message (one wire frame&apos;s plaintext). Big enough for a full 1920×1080 raw BGRA update (8.3 MB) with room for 4K in two updates; the console&apos;s FrameRequest.max_bytes asks for less. Largest side of a screen or monitor in pixels (Xvfb&apos;s maximum is 16384 too).</extracomment>
        <translation>Druhá strana poslala neplatné údaje; relácia bola ukončená.</translation>
    </message>
    <message>
        <source>Your SSH configuration includes itself in a loop ({path}).</source>
        <extracomment>How often a connection attempt that can be cancelled looks at its cancel event.</extracomment>
        <translation>Vaša konfigurácia SSH sa zacyklila vkladaním samej seba ({path}).</translation>
    </message>
    <message>
        <source>Cannot read the SSH configuration file {path}: {reason}</source>
        <translation>Konfiguračný súbor SSH {path} nemožno prečítať: {reason}</translation>
    </message>
    <message>
        <source>The SSH configuration file {path} has an error: {reason}</source>
        <translation>Konfiguračný súbor SSH {path} obsahuje chybu: {reason}</translation>
    </message>
    <message>
        <source>The SSH configuration file {path} does not exist.</source>
        <translation>Konfiguračný súbor SSH {path} neexistuje.</translation>
    </message>
    <message>
        <source>The ProxyJump chain to {host} is too long or loops.</source>
        <translation>Reťazec ProxyJump k {host} je príliš dlhý alebo sa zacyklil.</translation>
    </message>
    <message>
        <source>The SSH configuration for {host} has an invalid number: {reason}</source>
        <translation>Konfigurácia SSH pre {host} obsahuje neplatné číslo: {reason}</translation>
    </message>
    <message>
        <source>The command on the remote machine did not finish in time.</source>
        <extracomment>Set by another thread to give up: the attempt&apos;s sockets are closed at once and it raises :class:`ConnectCancelled` (instead of waiting out a stalled server&apos;s timeout).</extracomment>
        <translation>Príkaz na vzdialenom počítači nedobehol včas.</translation>
    </message>
    <message>
        <source>The connection was lost while the command was running.</source>
        <translation>Počas behu príkazu sa spojenie stratilo.</translation>
    </message>
    <message>
        <source>The server refused to connect to {host}:{port}. Nothing may be listening there, or the server does not allow port forwarding.</source>
        <translation>Server odmietol pripojenie k {host}:{port}. Možno tam nič nepočúva alebo server nepovoľuje presmerovanie portov.</translation>
    </message>
    <message>
        <source>The gateway refused to open a port for this session. Ask your IT department to check the gateway key&apos;s permitlisten setting.</source>
        <translation>Brána odmietla otvoriť port pre túto reláciu. Požiadajte IT oddelenie, aby skontrolovalo nastavenie permitlisten pri kľúči brány.</translation>
    </message>
    <message>
        <source>{host} stopped answering: the connection may be stalled or lost.</source>
        <translation>{host} prestal odpovedať: spojenie sa možno zaseklo alebo prerušilo.</translation>
    </message>
    <message>
        <source>{host} did not answer in time. The machine may be off, or a firewall may drop the connection.</source>
        <translation>{host} neodpovedal včas. Počítač môže byť vypnutý alebo spojenie blokuje firewall.</translation>
    </message>
    <message>
        <source>{user}@{host} did not accept any of your keys. Check that your key is loaded in ssh-agent or named by IdentityFile, and that the server has your public key.</source>
        <translation>{user}@{host} neprijal žiadny z vašich kľúčov. Overte, že je kľúč načítaný v ssh-agentovi alebo uvedený v IdentityFile a že server má váš verejný kľúč.</translation>
    </message>
    <message>
        <source>The name {host} could not be found. Check the spelling and your network.</source>
        <translation>Názov {host} sa nepodarilo nájsť. Skontrolujte preklepy a sieťové pripojenie.</translation>
    </message>
    <message>
        <source>{host} refused the connection on port {port}: no SSH server is listening there.</source>
        <translation>{host} odmietol spojenie na porte {port}: nepočúva tam žiadny server SSH.</translation>
    </message>
    <message>
        <source>{host} cannot be reached: {reason}</source>
        <translation>{host} nie je dostupný: {reason}</translation>
    </message>
    <message>
        <source>{host} accepted the connection but its SSH server did not answer in time.</source>
        <translation>{host} prijal spojenie, ale jeho server SSH neodpovedal včas.</translation>
    </message>
    <message>
        <source>The SSH connection to {host} failed: {reason}</source>
        <translation>Spojenie SSH s {host} zlyhalo: {reason}</translation>
    </message>
    <message>
        <source>The connection attempt was cancelled.</source>
        <translation>Pokus o pripojenie bol zrušený.</translation>
    </message>
    <message>
        <source>The jump host could not reach {host} on port {port}.</source>
        <translation>Prestupný server sa nemohol spojiť s {host} na porte {port}.</translation>
    </message>
    <message>
        <source>{host} runs an SSH server without protection against the Terrapin attack (strict key exchange). Ask its administrator to update OpenSSH.</source>
        <translation>{host} používa server SSH bez ochrany proti útoku Terrapin (striktná výmena kľúčov). Požiadajte jeho správcu o aktualizáciu OpenSSH.</translation>
    </message>
    <message>
        <source>The identity of {host} has changed. Someone may be intercepting this connection, or the machine was reinstalled. Podpora will not connect. Check the new fingerprint {fingerprint} with the machine&apos;s administrator by phone or in person; if it is genuine, remove the old entry for {name} from your known_hosts files and connect again.</source>
        <translation>Identita {host} sa zmenila. Niekto môže spojenie odpočúvať, alebo bol počítač preinštalovaný. Podpora sa nepripojí. Overte nový odtlačok {fingerprint} u správcu počítača telefonicky alebo osobne; ak je pravý, odstráňte starý záznam pre {name} zo súborov known_hosts a pripojte sa znova.</translation>
    </message>
    <message>
        <source>{host} is not known yet and its key was not accepted. Its fingerprint is {fingerprint}; compare it with the one your administrator gave you before trusting it.</source>
        <translation>{host} zatiaľ nie je známy a jeho kľúč nebol prijatý. Jeho odtlačok je {fingerprint}; skôr než mu budete dôverovať, porovnajte ho s odtlačkom od správcu.</translation>
    </message>
    <message>
        <source>The passphrase for the key {path} is not correct.</source>
        <translation>Heslo ku kľúču {path} nie je správne.</translation>
    </message>
    <message>
        <source>Your private key {path} can be read by other users, so Podpora will not use it. Fix it with: chmod 600 {path}</source>
        <translation>Váš súkromný kľúč {path} môžu čítať iní používatelia, preto ho Podpora nepoužije. Opravte to príkazom: chmod 600 {path}</translation>
    </message>
    <message>
        <source>This case was recorded with another technician key; export it with that key.</source>
        <translation>Tento prípad bol zaznamenaný iným kľúčom technika; exportujte ho týmto kľúčom.</translation>
    </message>
    <message>
        <source>{path} contains {key}: credentials belong in the system keyring, not in a file. Remove it and store it with `podpora outbox login`.</source>
        <translation>{path} obsahuje {key}: prihlasovacie údaje patria do systémovej kľúčenky, nie do súboru. Odstráňte ich a uložte príkazom `podpora outbox login`.</translation>
    </message>
    <message>
        <source>Unknown ticket system {name}. Known: {known}.</source>
        <translation>Neznámy systém požiadaviek {name}. Známe: {known}.</translation>
    </message>
    <message>
        <source>{system} unreachable ({detail})</source>
        <translation>{system} nedostupný ({detail})</translation>
    </message>
    <message>
        <source>{system} refused the delivery: {detail}</source>
        <translation>{system} odmietol doručenie: {detail}</translation>
    </message>
    <message>
        <source>{system} needs the setting {setting}: add it to the [{system}] section of connectors.toml.</source>
        <translation>{system} potrebuje nastavenie {setting}: pridajte ho do sekcie [{system}] v connectors.toml.</translation>
    </message>
    <message>
        <source>delivered to {system}: {url} (it was already there)</source>
        <translation>doručené do {system}: {url} (už tam bolo)</translation>
    </message>
    <message>
        <source>delivered to {system}: {url}</source>
        <translation>doručené do {system}: {url}</translation>
    </message>
    <message>
        <source>failed: {error}; fix it, then run `podpora outbox retry`</source>
        <translation>zlyhalo: {error}; opravte to a spustite `podpora outbox retry`</translation>
    </message>
    <message>
        <source>waiting: not yet sent to {system}</source>
        <translation>čaká: zatiaľ neodoslané do {system}</translation>
    </message>
    <message>
        <source>waiting: {error}, next try in {wait}</source>
        <translation>čaká: {error}, ďalší pokus o {wait}</translation>
    </message>
    <message>
        <source>There is no delivery {id} in the outbox.</source>
        <translation>Vo fronte na odoslanie nie je žiadne doručenie {id}.</translation>
    </message>
    <message>
        <source>There is no case {case_id}. See `podpora case list`.</source>
        <translation>Prípad {case_id} neexistuje. Pozrite `podpora case list`.</translation>
    </message>
    <message>
        <source>The case {case_id} is open in another console. Close it there first.</source>
        <translation>Prípad {case_id} je otvorený v inej konzole. Najprv ho zatvorte tam.</translation>
    </message>
    <message>
        <source>A case id may contain only letters, digits, dots, dashes and underscores.</source>
        <translation>Identifikátor prípadu smie obsahovať len písmená, číslice, bodky, pomlčky a podčiarkovníky.</translation>
    </message>
    <message>
        <source>The technician key {path} cannot be read. Pass it with --key.</source>
        <translation>Kľúč technika {path} nemožno prečítať. Zadajte ho pomocou --key.</translation>
    </message>
    <message>
        <source>The technician key {path} is not a usable Ed25519 key.</source>
        <translation>Kľúč technika {path} nie je použiteľný kľúč Ed25519.</translation>
    </message>
    <message>
        <source>The technician key {path} is not an Ed25519 key.</source>
        <translation>Kľúč technika {path} nie je kľúč Ed25519.</translation>
    </message>
    <message>
        <source>This case has no ticket reference. Pass one with --ticket.</source>
        <translation>Tento prípad nemá odkaz na požiadavku. Zadajte ho pomocou --ticket.</translation>
    </message>
    <message>
        <source>--trusted-key must be 64 hexadecimal digits.</source>
        <translation>--trusted-key musí mať 64 šestnástkových číslic.</translation>
    </message>
    <message>
        <source>--journal-key must be 64 hexadecimal digits.</source>
        <translation>--journal-key musí mať 64 šestnástkových číslic.</translation>
    </message>
    <message>
        <source>The passphrase variable {var} is not set.</source>
        <translation>Premenná s heslom {var} nie je nastavená.</translation>
    </message>
    <message>
        <source>The connection to the computer was lost: {detail}</source>
        <extracomment>The fixed bootstrap (POSIX sh) that runs the interpreter ``&quot;$@&quot;`` as a child in the new process group: it prints the group id, keeps the script&apos;s stdin (a background job would otherwise get /dev/null), and starts a watchdog that writes one NUL byte to stderr every second; when the connection is gone that write fails and the watchdog kills the whole group, so a lost link leaves no script running on the target. Before that it puts the script into its own cgroup with a ``pids.max`` (:mod:`app.diagnostics.containment`), and whenever the script ends, is stopped (``TERM``, trapped) or loses its link (the watchdog), it kills every process in that cgroup and removes it. The ``TERM`` trap is set only after both subshells are forked: dash can swallow a signal that arrives while a child it forks still carries the parent&apos;s trap (seen here: a watchdog that outlived its bootstrap), and the watchdog is stopped with ``KILL`` for the same reason. With a sudo password the channel&apos;s stdin carries ``password LF``, this marker line, then the body. sudo reads the password a byte at a time; the bootstrap (now root) then drops lines up to the marker, so a password that sudo did not ask for (a NOPASSWD rule) is discarded there and never reaches the interpreter. Checks a sudo password before any script is sent: ``true`` through ``sudo -S`` with the password on stdin. ``-k`` ignores cached credentials, so a wrong password is always noticed here, not in the middle of a run.</extracomment>
        <translation>Spojenie s počítačom sa stratilo: {detail}</translation>
    </message>
    <message>
        <source>This technician is NOT verified by your organisation. Only accept if you contacted IT yourself.</source>
        <extracomment>Clock difference between the organisation&apos;s signing machine and the user&apos;s machine that is tolerated. Plain-language templates the UI translates (the reason strings below are English technical detail).</extracomment>
        <translation>Tento technik NIE JE overený vašou organizáciou. Prijmite len vtedy, ak ste IT kontaktovali sami.</translation>
    </message>
    <message>
        <source>Verified: {name}, {team}, {org}</source>
        <translation>Overené: {name}, {team}, {org}</translation>
    </message>
    <message>
        <source>{detail}</source>
        <translation>{detail}</translation>
    </message>
    <message>
        <source>The unattended-access policy cannot be used: {reason}.</source>
        <translation>Zásady bezobslužného prístupu nemožno použiť: {reason}.</translation>
    </message>
    <message>
        <source>Xvfb is not installed. Run scripts/setup (Debian package xvfb).</source>
        <translation>Xvfb nie je nainštalovaný. Spustite scripts/setup (balík Debianu xvfb).</translation>
    </message>
    <message>
        <source>The virtual display could not be started: {reason}</source>
        <translation>Virtuálny displej sa nepodarilo spustiť: {reason}</translation>
    </message>
    <message>
        <source>The demo stopped: {reason}</source>
        <translation>Ukážka sa zastavila: {reason}</translation>
    </message>
    <message>
        <source>The demo stopped at this step: {step}</source>
        <translation>Ukážka sa zastavila pri tomto kroku: {step}</translation>
    </message>
    <message>
        <source>Viewing the screen is not allowed right now.</source>
        <extracomment>The largest message either side accepts (a send_local message may be a whole protocol message). The longest the protocol process waits for the broker (a grab, the monitor list) before giving up. How long the protocol process gets to start, confine itself and say it is ready. After a stop, how long the protocol process gets to say goodbye before it is killed. The longest change wait the broker carries out for the protocol process. Input the protocol process sent that the gate dropped (for the log and the tests).</extracomment>
        <translation>Sledovanie obrazovky teraz nie je povolené.</translation>
    </message>
    <message>
        <source>The part of Podpora that talks to the technician stopped unexpectedly. Ask for help again.</source>
        <translation>Časť aplikácie Podpora, ktorá komunikuje s technikom, sa nečakane ukončila. Požiadajte o pomoc znova.</translation>
    </message>
    <message>
        <source>Podpora could not start its connection process: {reason}</source>
        <translation>Podpora nemohla spustiť svoj proces pre spojenie: {reason}</translation>
    </message>
</context>
</TS>
