using System;
using System.Globalization;
using System.Management.Automation;
using MdApiTokens.Core;
using MdApiTokens.Core.Defender;

namespace MdApiTokens.Commands.Defender;

/// <summary>
/// The progress of a Defender cmdlet over its tenants: tenants done of the total (of those so far while input still
/// arrives), pages and items so far, and what a held-back request waits for and how long. Nothing is shown for work
/// that ends within a second. Used only on the pipeline thread; the engine applies $ProgressPreference.
/// </summary>
internal sealed class DefenderProgress
{
    private static readonly TimeSpan s_quietStart = TimeSpan.FromSeconds(1);
    private static int s_nextActivityId = 0x4D44; // "MD": away from the small ids scripts use

    private readonly Action<ProgressRecord> _write;
    private readonly IClock _clock;
    private readonly DateTimeOffset _start;
    private readonly string _activity;
    private readonly string _itemNoun;
    private readonly int _activityId = System.Threading.Interlocked.Increment(ref s_nextActivityId);
    private bool _shown;
    private int _tenants;
    private int _done;
    private bool _inputEnded;
    private long _pages;
    private long _items;
    private DefenderWait? _wait;

    public DefenderProgress(string activity, string itemNoun, IClock clock, Action<ProgressRecord> write)
    {
        _activity = activity;
        _itemNoun = itemNoun;
        _clock = clock;
        _write = write;
        _start = clock.UtcNow;
    }

    public void TenantStarted()
    {
        _tenants++;
        Show();
    }

    public void TenantDone()
    {
        _done++;
        Show();
    }

    public void InputEnded()
    {
        _inputEnded = true;
        Show();
    }

    /// <summary>A page of <paramref name="items"/> has been written.</summary>
    public void Page(int items)
    {
        _pages++;
        Items(items);
    }

    /// <summary><paramref name="items"/> more have been written.</summary>
    public void Items(int items)
    {
        _items += items;
        _wait = null;
        Show();
    }

    public void Waiting(DefenderWait wait)
    {
        _wait = wait;
        Show();
    }

    /// <summary>Takes the progress bar away, if one was shown.</summary>
    public void Complete()
    {
        if (_shown)
        {
            _shown = false;
            _write(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    private void Show()
    {
        // A wait of a second or more means the work will not end within one: show it at once.
        if (!_shown && _clock.UtcNow - _start < s_quietStart && !(_wait?.Duration >= s_quietStart))
        {
            return;
        }

        _shown = true;
        var tenants = _inputEnded
            ? string.Format(CultureInfo.CurrentCulture, "{0:N0} of {1:N0} tenants done", _done, _tenants)
            : string.Format(CultureInfo.CurrentCulture, "{0:N0} tenants done, {1:N0} so far", _done, _tenants);
        var pages = _pages == 0 ? "" : string.Format(CultureInfo.CurrentCulture, ", {0:N0} pages", _pages);
        var record = new ProgressRecord(_activityId, _activity, string.Format(CultureInfo.CurrentCulture, "{0}{1}, {2:N0} {3}", tenants, pages, _items, _itemNoun))
        {
            PercentComplete = _inputEnded && _tenants > 0 ? Math.Min(100, _done * 100 / _tenants) : -1,
        };
        if (_wait is { } wait)
        {
            record.CurrentOperation = wait.Describe();
            record.SecondsRemaining = (int)Math.Ceiling(wait.Duration.TotalSeconds);
        }

        _write(record);
    }
}
