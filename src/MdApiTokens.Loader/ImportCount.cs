using System;

namespace MdApiTokens.Loader;

/// <summary>
/// The imports of the module in effect in this process. The first import hooks the loader in; it is unhooked only when
/// the last one is removed, so Remove-Module in one runspace never breaks another runspace that still uses the module.
/// A runspace closed without Remove-Module keeps its import, and the hook stays: something may still need the
/// module's assemblies.
/// </summary>
internal sealed class ImportCount
{
    private readonly object _gate = new();
    private readonly Action _hook;
    private readonly Action _unhook;
    private int _imports;

    public ImportCount(Action hook, Action unhook)
    {
        _hook = hook;
        _unhook = unhook;
    }

    public void Add()
    {
        // Under the lock: runspaces import at the same instant (hosts, parallel tests). A hook that throws fails this
        // import and is tried again by the next.
        lock (_gate)
        {
            if (_imports == 0)
            {
                _hook();
            }

            _imports++;
        }
    }

    public void Remove()
    {
        lock (_gate)
        {
            if (_imports == 0)
            {
                return;
            }

            _imports--;
            if (_imports == 0)
            {
                _unhook();
            }
        }
    }
}
