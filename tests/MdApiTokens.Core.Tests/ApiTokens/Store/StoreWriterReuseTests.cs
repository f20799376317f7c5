using System.IO;
using System.Reflection;
using System.Text;
using System.Text.Json;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Tests.Store;

/// <summary>
/// The store's writer keeps each token's JSON with its record and writes it again until a property of the record is
/// set, and hands the file over as pieces. Whatever is reused, the file must be exactly what the schema serializer
/// writes for the document as it is now.
/// </summary>
public class StoreWriterReuseTests
{
    private static readonly DateTimeOffset s_time = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234);

    public static TheoryData<string> RecordProperties() => PropertiesOf<ApiTokenRecord>();

    public static TheoryData<string> RevokedRecordProperties() => PropertiesOf<RevokedTokenRecord>();

    [Theory]
    [MemberData(nameof(RecordProperties))]
    public void Setting_any_property_of_a_written_token_is_in_the_next_write(string property)
    {
        var token = Token("1");
        var document = Document(token, Token("2"));
        StoreWriter.Serialize(document);

        var info = typeof(ApiTokenRecord).GetProperty(property)!;
        var before = info.GetValue(token);
        info.SetValue(token, OtherValue(info.PropertyType, before));

        AssertWrittenAsSchema(document);
        Assert.NotEqual(JsonOf(before), JsonOf(info.GetValue(token)));
    }

    [Theory]
    [MemberData(nameof(RevokedRecordProperties))]
    public void Setting_any_property_of_a_written_revoked_token_is_in_the_next_write(string property)
    {
        var revoked = new RevokedTokenRecord { Token = Token("1"), RevokedBy = "alice", RevokedOn = s_time };
        var document = Document(Token("2"));
        document.Revoked = new() { revoked, new RevokedTokenRecord { Token = Token("3"), RevokedBy = "bob", RevokedOn = s_time } };
        StoreWriter.Serialize(document);

        var info = typeof(RevokedTokenRecord).GetProperty(property)!;
        var before = info.GetValue(revoked);
        info.SetValue(revoked, OtherValue(info.PropertyType, before));

        AssertWrittenAsSchema(document);
        Assert.NotEqual(JsonOf(before), JsonOf(info.GetValue(revoked)));
    }

    [Fact]
    public void A_property_set_on_the_token_inside_a_written_revoked_record_is_in_the_next_write()
    {
        var token = Token("1");
        var document = Document();
        document.Revoked = new() { new RevokedTokenRecord { Token = token, RevokedBy = "alice", RevokedOn = s_time } };
        StoreWriter.Serialize(document);

        token.Name = "renamed after revoking";

        AssertWrittenAsSchema(document);
        Assert.Contains("renamed after revoking", Encoding.UTF8.GetString(StoreWriter.Serialize(document).ToArray()));
    }

    [Fact]
    public void A_time_set_to_the_same_instant_with_another_offset_is_written_with_the_new_offset()
    {
        var token = Token("1");
        var document = Document(token);
        StoreWriter.Serialize(document);

        token.CreatedOn = token.CreatedOn.ToOffset(TimeSpan.FromHours(-5));

        AssertWrittenAsSchema(document);
        Assert.Contains("-05:00", Encoding.UTF8.GetString(StoreWriter.Serialize(document).ToArray()));
    }

    [Fact]
    public void A_revoked_token_reuses_the_json_it_had_while_live_and_is_written_as_the_schema_writes_it()
    {
        var token = Token("1");
        var document = Document(token);
        StoreWriter.Serialize(document);

        document.Tokens.Clear();
        document.Revoked = new() { new RevokedTokenRecord { Token = token, RevokedBy = "alice", RevokedOn = s_time } };

        AssertWrittenAsSchema(document);
    }

    [Theory]
    [InlineData(0, -1, false)]
    [InlineData(1, -1, false)]
    [InlineData(2, 0, false)]
    [InlineData(0, 1, false)]
    [InlineData(0, 2, true)]
    [InlineData(3, -1, true)]
    [InlineData(3, 0, true)]
    [InlineData(3, 3, true)]
    public void Documents_with_and_without_tokens_revoked_tokens_and_an_audit_end_are_written_as_the_schema_writes_them(int tokens, int revoked, bool audit)
    {
        var document = Document();
        for (var i = 0; i < tokens; i++)
        {
            document.Tokens.Add(Token(i.ToString()));
        }

        if (revoked >= 0)
        {
            document.Revoked = new();
            for (var i = 0; i < revoked; i++)
            {
                document.Revoked.Add(new RevokedTokenRecord { Token = Token("r" + i), RevokedBy = "alice", RevokedOn = s_time, LastPresentedOn = i == 1 ? s_time : null });
            }
        }

        if (audit)
        {
            document.Audit = new AuditState { Sequence = 1, Time = s_time, Length = 10 };
        }

        AssertWrittenAsSchema(document);
        AssertWrittenAsSchema(document);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(700)] // about 260 KiB: more than one write chunk
    [InlineData(2000)]
    public void Pieces_written_to_a_stream_are_the_whole_document_in_order(int tokens)
    {
        var document = Document();
        for (var i = 0; i < tokens; i++)
        {
            document.Tokens.Add(Token(i.ToString()));
        }

        var bytes = StoreWriter.Serialize(document);
        using var stream = new MemoryStream();
        bytes.WriteTo(stream);

        Assert.Equal(Schema(document), stream.ToArray());
        Assert.Equal(bytes.Length, stream.Length);
        Assert.True(bytes.ContentEquals(stream.ToArray()));
    }

    [Fact]
    public void Content_that_differs_in_one_byte_of_any_piece_or_in_length_is_not_equal()
    {
        var document = Document(Token("1"), Token("2"), Token("3"));
        var bytes = StoreWriter.Serialize(document);
        var content = bytes.ToArray();

        Assert.True(bytes.ContentEquals(content));
        Assert.True(StoreBytes.Of(content).ContentEquals(content));
        Assert.False(bytes.ContentEquals(content.AsSpan(0, content.Length - 1)));
        Assert.False(bytes.ContentEquals(content.Concat(new[] { (byte)' ' }).ToArray()));
        Assert.False(bytes.ContentEquals(ReadOnlySpan<byte>.Empty));
        for (var i = 0; i < content.Length; i++)
        {
            var changed = (byte[])content.Clone();
            changed[i] ^= 0x01;
            Assert.False(bytes.ContentEquals(changed), $"byte {i} changed, still equal");
        }
    }

    [Fact]
    public void A_store_whose_token_was_changed_after_an_issue_writes_the_change()
    {
        using var fixture = new StoreFixture();
        var service = fixture.AsAdmin();
        var issued = service.Issue("first");
        service.Issue("second");

        // The next change starts from the document this process wrote last, whose records hold their JSON.
        fixture.Store.Update(tx =>
        {
            tx.Document.Tokens.Single(t => t.Id == issued.Id).Name = "renamed";
            tx.MarkChanged();
            return 0;
        });

        var text = File.ReadAllText(fixture.Store.FilePath);
        Assert.Contains("\"name\":\"renamed\"", text);
        Assert.DoesNotContain("\"name\":\"first\"", text);
        Assert.Equal(Schema(fixture.Store.Read()), File.ReadAllBytes(fixture.Store.FilePath));
    }

    private static TheoryData<string> PropertiesOf<T>()
    {
        var names = new TheoryData<string>();
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            names.Add(property.Name);
        }

        return names;
    }

    private static void AssertWrittenAsSchema(StoreDocument document) =>
        Assert.Equal(Encoding.UTF8.GetString(Schema(document)), Encoding.UTF8.GetString(StoreWriter.Serialize(document).ToArray()));

    private static byte[] Schema(StoreDocument document) => JsonSerializer.SerializeToUtf8Bytes(document, StoreJsonContext.Default.StoreDocument);

    private static string JsonOf(object? value) => JsonSerializer.Serialize(value);

    private static object? OtherValue(Type type, object? current) => type switch
    {
        _ when type == typeof(string) => current + "-changed",
        _ when type == typeof(DateTimeOffset) => ((DateTimeOffset)current!).AddMinutes(1),
        _ when type == typeof(DateTimeOffset?) => current is DateTimeOffset time ? time.AddMinutes(1) : s_time,
        _ when type == typeof(IReadOnlyList<ApiTokenPermission>) => new[] { ApiTokenPermission.ReadAlerts, ApiTokenPermission.DismissAlerts },
        _ when type == typeof(ApiTokenRecord) => Token("replaced"),
        _ => throw new InvalidOperationException($"No other value for a {type}: teach this test the new property type."),
    };

    private static ApiTokenRecord Token(string id) => new()
    {
        Id = id,
        Name = "token " + id,
        Issuer = "alice",
        CreatedOn = s_time,
        ExpiresOn = id == "1" ? null : s_time.AddDays(1),
        Permissions = new[] { ApiTokenPermission.ReadAlerts },
        Hint = "mdat_...abcd",
        Hash = new string('a', 64),
    };

    private static StoreDocument Document(params ApiTokenRecord[] tokens)
    {
        var document = new StoreDocument { SchemaVersion = 1, CreatedOn = s_time, CreatedBy = "alice" };
        document.Tokens.AddRange(tokens);
        return document;
    }
}
