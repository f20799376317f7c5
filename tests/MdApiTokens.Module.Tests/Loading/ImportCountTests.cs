using MdApiTokens.Loader;

namespace MdApiTokens.Module.Tests.Loading;

/// <summary>The loader is hooked in by the first import in the process and unhooked by the last Remove-Module.</summary>
public class ImportCountTests
{
    private readonly List<string> _calls = new();

    [Fact]
    public void Many_imports_hook_once_and_only_the_last_removal_unhooks()
    {
        var imports = Counting();

        imports.Add();
        imports.Add();
        imports.Add();
        imports.Remove();
        imports.Remove();
        Assert.Equal(new[] { "hook" }, _calls);

        imports.Remove();
        Assert.Equal(new[] { "hook", "unhook" }, _calls);
    }

    [Fact]
    public void An_import_after_the_last_removal_hooks_again()
    {
        var imports = Counting();

        imports.Add();
        imports.Remove();
        imports.Add();

        Assert.Equal(new[] { "hook", "unhook", "hook" }, _calls);
    }

    [Fact]
    public void A_removal_without_an_import_does_nothing()
    {
        var imports = Counting();

        imports.Remove();
        imports.Add();
        imports.Remove();
        imports.Remove();

        Assert.Equal(new[] { "hook", "unhook" }, _calls);
    }

    [Fact]
    public void A_hook_that_fails_fails_that_import_and_is_tried_again_by_the_next()
    {
        var attempts = 0;
        var imports = new ImportCount(() => { if (++attempts == 1) { throw new FileNotFoundException("MdApiTokens.LoadContext.dll"); } _calls.Add("hook"); }, () => _calls.Add("unhook"));

        Assert.Throws<FileNotFoundException>(imports.Add);
        imports.Remove(); // the failed import is not counted: nothing to unhook
        imports.Add();

        Assert.Equal(new[] { "hook" }, _calls);
    }

    [Fact]
    public void Imports_and_removals_from_many_threads_at_once_hook_once_and_leave_it_unhooked()
    {
        var hooked = 0;
        var maxHooked = 0;
        var imports = new ImportCount(() => maxHooked = Math.Max(maxHooked, Interlocked.Increment(ref hooked)), () => Interlocked.Decrement(ref hooked));

        Parallel.For(0, 64, _ =>
        {
            imports.Add();
            imports.Remove();
        });

        Assert.Equal(0, hooked);
        Assert.Equal(1, maxHooked);
    }

    private ImportCount Counting() => new(() => _calls.Add("hook"), () => _calls.Add("unhook"));
}
