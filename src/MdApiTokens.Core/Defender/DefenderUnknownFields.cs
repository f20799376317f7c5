using System;
using System.Collections;
using System.Collections.Generic;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// The fields of one API object that its type does not know, name and JSON text (see
/// <see cref="DefenderUnknownFieldConverter"/>), in the order they came: an object has a few at most, so they are kept
/// in one small array, a third of what a <see cref="Dictionary{TKey, TValue}"/> costs, and found by a linear search.
/// Names are compared ordinally, as the API's JSON does.
/// </summary>
internal sealed class DefenderUnknownFields : IDictionary<string, object?>
{
    private KeyValuePair<string, object?>[] _fields = new KeyValuePair<string, object?>[2];

    public int Count { get; private set; }

    public bool IsReadOnly => false;

    public ICollection<string> Keys => Fields().ConvertAll(f => f.Key);

    public ICollection<object?> Values => Fields().ConvertAll(f => f.Value);

    public object? this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No unknown field '{key}'.");
        set
        {
            var index = IndexOf(key);
            if (index >= 0)
            {
                // A field sent twice: the last one counts, as for the fields the types know.
                _fields[index] = new KeyValuePair<string, object?>(key, value);
                return;
            }

            if (Count == _fields.Length)
            {
                Array.Resize(ref _fields, Count * 2);
            }

            _fields[Count++] = new KeyValuePair<string, object?>(key, value);
        }
    }

    public void Add(string key, object? value)
    {
        if (IndexOf(key) >= 0)
        {
            throw new ArgumentException($"The unknown field '{key}' is already there.", nameof(key));
        }

        this[key] = value;
    }

    public void Add(KeyValuePair<string, object?> item) => Add(item.Key, item.Value);

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool Contains(KeyValuePair<string, object?> item) =>
        IndexOf(item.Key) is var index && index >= 0 && Equals(_fields[index].Value, item.Value);

    public bool TryGetValue(string key, out object? value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _fields[index].Value : null;
        return index >= 0;
    }

    public bool Remove(string key)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            return false;
        }

        Array.Copy(_fields, index + 1, _fields, index, Count - index - 1);
        _fields[--Count] = default;
        return true;
    }

    public bool Remove(KeyValuePair<string, object?> item) => Contains(item) && Remove(item.Key);

    public void Clear()
    {
        Array.Clear(_fields, 0, Count);
        Count = 0;
    }

    public void CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex) => Array.Copy(_fields, 0, array, arrayIndex, Count);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)Fields()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private List<KeyValuePair<string, object?>> Fields() => new(new ArraySegment<KeyValuePair<string, object?>>(_fields, 0, Count));

    private int IndexOf(string key)
    {
        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(_fields[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
