using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using MdApiTokens.Core.Defender;

namespace MdApiTokens.Commands.Defender;

/// <summary>
/// Between PowerShell objects and the plain values Core reads and writes as JSON: answers become PSCustomObjects and
/// arrays as ConvertFrom-Json gives them; a -Body (hashtable, PSCustomObject, any object's properties) becomes
/// dictionaries and lists.
/// </summary>
internal static class PowerShellJson
{
    private const int MaxDepth = 64;
    private const int MaxValues = 100_000;

    /// <summary>Dictionaries become PSCustomObjects (in their key order), arrays object[]; everything else is kept.</summary>
    public static object? ToPowerShell(object? value)
    {
        switch (value)
        {
            case IEnumerable<KeyValuePair<string, object?>> map:
                var o = new PSObject();
                foreach (var pair in map)
                {
                    AddProperty(o, pair.Key, ToPowerShell(pair.Value));
                }

                return o;
            case object?[] array:
                var items = new object?[array.Length];
                for (var i = 0; i < array.Length; i++)
                {
                    items[i] = ToPowerShell(array[i]);
                }

                return items;
            default:
                return value;
        }
    }

    /// <summary>
    /// Adds a note property unless one of that name (in any case: PowerShell's names ignore case) is there, where the
    /// first wins; a field with an empty name, which no property can have, is left out.
    /// </summary>
    public static void AddProperty(PSObject target, string name, object? value)
    {
        if (name.Length > 0 && target.Properties[name] is null)
        {
            target.Properties.Add(new PSNoteProperty(name, value));
        }
    }

    /// <summary>
    /// A -Body object as plain values: hashtables and dictionaries by key, PSCustomObjects and other objects by their
    /// properties, collections as lists; strings, numbers, booleans, times, GUIDs and enums as they are. Deeper than
    /// 64 levels (an object that refers to itself), or more than 100,000 values (a live .NET object graph, such as a
    /// process, rather than data), is refused.
    /// </summary>
    public static object? FromPowerShell(object? value) => FromPowerShell(value, 0, new int[] { MaxValues });

    private static object? FromPowerShell(object? value, int depth, int[] budget)
    {
        var baseObject = value is PSObject pso ? pso.BaseObject : value;
        if (depth > MaxDepth)
        {
            throw DefenderApiRequestErrors.BodyNotJson($"it is nested more than {MaxDepth} levels deep (does it refer to itself?).");
        }

        if (--budget[0] < 0)
        {
            throw DefenderApiRequestErrors.BodyNotJson($"it has more than {MaxValues.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} values; give a hashtable or PSCustomObject with the fields the endpoint takes, or a JSON string.");
        }

        switch (baseObject)
        {
            case null:
                return null;
            case string or bool or char or Enum or DateTime or DateTimeOffset or Guid or Uri or decimal or double or float
                or int or long or short or sbyte or byte or ushort or uint or ulong:
                return baseObject;
            case IDictionary map:
                var dictionary = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (DictionaryEntry entry in map)
                {
                    dictionary[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? ""] = FromPowerShell(entry.Value, depth + 1, budget);
                }

                return dictionary;
            case IEnumerable items:
                var list = new List<object?>();
                foreach (var item in items)
                {
                    list.Add(FromPowerShell(item, depth + 1, budget));
                }

                return list;
            default:
                var properties = new List<KeyValuePair<string, object?>>();
                foreach (var property in PSObject.AsPSObject(value).Properties)
                {
                    if (property.IsGettable && property.MemberType is PSMemberTypes.NoteProperty or PSMemberTypes.Property)
                    {
                        properties.Add(new KeyValuePair<string, object?>(property.Name, FromPowerShell(property.Value, depth + 1, budget)));
                    }
                }

                return properties;
        }
    }
}
