using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace MdApiTokens.Module.Tests.Infrastructure;

/// <summary>
/// A host whose console is a string, so tests can read exactly what a user would see from Out-Host / Out-Default
/// (the module's format views) and answer -Confirm prompts. Its console is <see cref="Width"/> columns wide: the
/// engine fits tables and lists to the buffer width the host's RawUI reports (200 unless told otherwise).
/// </summary>
public sealed class CapturingHost : PSHost
{
    private readonly CapturingUI _ui;

    public CapturingHost(int width = 200)
    {
        _ui = new CapturingUI(width);
    }

    /// <summary>The console width in columns: what RawUI reports as its buffer and window width.</summary>
    public int Width
    {
        get => _ui.RawUI.BufferSize.Width;
        set
        {
            _ui.RawUI.BufferSize = new Size(value, _ui.RawUI.BufferSize.Height);
            _ui.RawUI.WindowSize = new Size(value, _ui.RawUI.WindowSize.Height);
        }
    }

    public override string Name => "MdApiTokensTestHost";

    public override Version Version => new(1, 0);

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override PSHostUserInterface UI => _ui;

    public override CultureInfo CurrentCulture => CultureInfo.GetCultureInfo("en-US");

    public override CultureInfo CurrentUICulture => CultureInfo.GetCultureInfo("en-US");

    /// <summary>Everything written to the console so far, without ANSI styling.</summary>
    public string Text => System.Text.RegularExpressions.Regex.Replace(_ui.Text.ToString(), "\u001b\\[[0-9;]*m", "");

    /// <summary>The choice index to answer prompts with (0 = Yes in ShouldProcess prompts).</summary>
    public Queue<int> Choices => _ui.Choices;

    /// <summary>Prompts shown so far.</summary>
    public IReadOnlyList<string> Prompts => _ui.Prompts;

    public void Clear() => _ui.Text.Clear();

    public override void EnterNestedPrompt() => throw new NotSupportedException();

    public override void ExitNestedPrompt() => throw new NotSupportedException();

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }

    public override void SetShouldExit(int exitCode)
    {
    }

    private sealed class CapturingUI : PSHostUserInterface
    {
        private readonly RawUI _raw;

        public CapturingUI(int width) => _raw = new RawUI(width);

        public StringBuilder Text { get; } = new();

        public Queue<int> Choices { get; } = new();

        public List<string> Prompts { get; } = new();

        public override PSHostRawUserInterface RawUI => _raw;

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw new NotSupportedException("no prompts for values in tests");

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Prompts.Add(caption + ": " + message);
            return Choices.Count > 0 ? Choices.Dequeue() : throw new InvalidOperationException("unexpected prompt: " + message);
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();

        public override string ReadLine() => throw new NotSupportedException();

        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();

        public override void Write(string value) => Text.Append(value);

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Text.Append(value);

        public override void WriteLine(string value) => Text.Append(value).Append('\n');

        public override void WriteErrorLine(string value) => Text.Append("ERROR: ").Append(value).Append('\n');

        public override void WriteDebugLine(string message) => Text.Append("DEBUG: ").Append(message).Append('\n');

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
        }

        public override void WriteVerboseLine(string message) => Text.Append("VERBOSE: ").Append(message).Append('\n');

        public override void WriteWarningLine(string message) => Text.Append("WARNING: ").Append(message).Append('\n');
    }

    private sealed class RawUI : PSHostRawUserInterface
    {
        public RawUI(int width)
        {
            BufferSize = new Size(width, 3000);
            WindowSize = new Size(width, 100);
        }

        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

        public override Size BufferSize { get; set; }

        public override Coordinates CursorPosition { get; set; }

        public override int CursorSize { get; set; } = 1;

        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.White;

        public override bool KeyAvailable => false;

        public override Size MaxPhysicalWindowSize => new(Math.Max(200, WindowSize.Width), 100);

        public override Size MaxWindowSize => new(Math.Max(200, WindowSize.Width), 100);

        public override Coordinates WindowPosition { get; set; }

        public override Size WindowSize { get; set; }

        public override string WindowTitle { get; set; } = "";

        public override void FlushInputBuffer()
        {
        }

        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();

        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();

        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) => throw new NotSupportedException();

        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) => throw new NotSupportedException();

        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) => throw new NotSupportedException();
    }
}
