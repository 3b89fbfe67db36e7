// A PowerShell host that records what a command shows instead of printing it: the "What if:" lines ShouldProcess
// writes to the host (no stream or redirection reaches them), Write-Host text, warnings, verbose and debug lines, as
// the console would show them at a chosen width. TestSupport.psm1 (Invoke-Recorded) runs commands in a runspace of
// this host so that a test asserts on the text and a green run prints none of it.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace WeComSyncTests
{
    public sealed class RecordingHost : PSHost
    {
        private readonly RecordingHostUI _ui;
        private readonly Guid _id = Guid.NewGuid();

        public RecordingHost(int width) { _ui = new RecordingHostUI(width); }

        /// <summary>The console width the formatter and the host's line breaking use.</summary>
        public int Width { get => _ui.RawRecording.Width; set => _ui.RawRecording.Width = value; }

        /// <summary>Everything shown since the last Clear, as lines (no line longer than the host showed it).</summary>
        public string[] Lines => _ui.Lines();
        public void Clear() => _ui.Clear();

        public override string Name => "WeComSyncTestRecordingHost";
        public override Version Version => new Version(1, 0);
        public override Guid InstanceId => _id;
        public override PSHostUserInterface UI => _ui;
        public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
        public override void SetShouldExit(int exitCode) { }
        public override void EnterNestedPrompt() => throw new NotSupportedException("The recording host has no nested prompt.");
        public override void ExitNestedPrompt() { }
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
    }

    internal sealed class RecordingHostUI : PSHostUserInterface
    {
        private readonly StringBuilder _text = new StringBuilder();
        internal readonly RecordingRawUI RawRecording;

        public RecordingHostUI(int width) { RawRecording = new RecordingRawUI(width); }

        internal string[] Lines()
        {
            lock (_text)
            {
                if (_text.Length == 0) return Array.Empty<string>();
                string all = _text.ToString();
                if (all.EndsWith("\n", StringComparison.Ordinal)) all = all.Substring(0, all.Length - 1);
                return all.Replace("\r\n", "\n").Split('\n');
            }
        }

        internal void Clear() { lock (_text) _text.Clear(); }
        private void Add(string value) { lock (_text) _text.Append(value); }

        public override PSHostRawUserInterface RawUI => RawRecording;
        public override void Write(string value) => Add(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Add(value);
        public override void WriteLine(string value) => Add(value + "\n");
        public override void WriteErrorLine(string value) => Add(value + "\n");
        public override void WriteDebugLine(string message) => Add("DEBUG: " + message + "\n");
        public override void WriteVerboseLine(string message) => Add("VERBOSE: " + message + "\n");
        public override void WriteWarningLine(string message) => Add("WARNING: " + message + "\n");
        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        // A test answers prompts with -Confirm:$false / -Force: a prompt here is a test that would hang at a console.
        private static Exception NoPrompt(string what) =>
            new NotSupportedException("The recording host cannot answer " + what + ": pass -Confirm:$false, -Force or the value.");
        public override string ReadLine() => throw NoPrompt("a read");
        public override SecureString ReadLineAsSecureString() => throw NoPrompt("a read");
        public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => throw NoPrompt("a prompt (" + message + ")");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw NoPrompt("a credential prompt");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw NoPrompt("a credential prompt");
        public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) => throw NoPrompt("a choice (" + message + ")");
    }

    internal sealed class RecordingRawUI : PSHostRawUserInterface
    {
        internal int Width;
        public RecordingRawUI(int width) { Width = width; }

        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override Size BufferSize { get => new Size(Width, 9999); set { } }
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new Size(Width, 9999);
        public override Size MaxWindowSize => new Size(Width, 9999);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get => new Size(Width, 50); set { } }
        public override string WindowTitle { get; set; } = "";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException("The recording host has no keyboard.");
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }

        // As a console counts them (the table formatter lays columns out with these): Han, kana and hangul take two
        // cells. The base class counts one per char, which lays a table of Chinese names out wider than the console.
        public override int LengthInBufferCells(char source) =>
            source >= 0x1100 && (source <= 0x115F || source == 0x2329 || source == 0x232A || (source >= 0x2E80 && source <= 0xA4CF && source != 0x303F) ||
                                 (source >= 0xAC00 && source <= 0xD7A3) || (source >= 0xF900 && source <= 0xFAFF) || (source >= 0xFE30 && source <= 0xFE6F) ||
                                 (source >= 0xFF00 && source <= 0xFF60) || (source >= 0xFFE0 && source <= 0xFFE6)) ? 2 : 1;
        public override int LengthInBufferCells(string source) => LengthInBufferCells(source, 0);
        public override int LengthInBufferCells(string source, int offset)
        {
            int n = 0;
            for (int i = offset; i < (source?.Length ?? 0); i++) n += LengthInBufferCells(source[i]);
            return n;
        }
    }
}
