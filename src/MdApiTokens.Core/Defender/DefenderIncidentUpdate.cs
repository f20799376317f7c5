using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// The changes to make to an incident (PATCH /api/incidents/{id}). Only what is set is sent; <see cref="Tags"/>
/// replaces the incident's tags, <see cref="Comment"/> adds a comment.
/// </summary>
public sealed class DefenderIncidentUpdate
{
    private static readonly Dictionary<DefenderIncidentClassification, DefenderIncidentDetermination[]> s_determinations = new()
    {
        [DefenderIncidentClassification.TruePositive] = new[]
        {
            DefenderIncidentDetermination.MultiStagedAttack, DefenderIncidentDetermination.MaliciousUserActivity,
            DefenderIncidentDetermination.CompromisedAccount, DefenderIncidentDetermination.Malware,
            DefenderIncidentDetermination.Phishing, DefenderIncidentDetermination.UnwantedSoftware, DefenderIncidentDetermination.Other,
        },
        [DefenderIncidentClassification.InformationalExpectedActivity] = new[]
        {
            DefenderIncidentDetermination.SecurityTesting, DefenderIncidentDetermination.LineOfBusinessApplication,
            DefenderIncidentDetermination.ConfirmedActivity, DefenderIncidentDetermination.Other,
        },
        [DefenderIncidentClassification.FalsePositive] = new[]
        {
            DefenderIncidentDetermination.Clean, DefenderIncidentDetermination.NoEnoughDataToValidate, DefenderIncidentDetermination.Other,
        },
    };

    public DefenderIncidentStatus? Status { get; set; }

    public string? AssignedTo { get; set; }

    public DefenderIncidentClassification? Classification { get; set; }

    public DefenderIncidentDetermination? Determination { get; set; }

    /// <summary>The incident's new tags: they replace the current ones (an empty list removes them all).</summary>
    public IReadOnlyList<string>? Tags { get; set; }

    /// <summary>A comment to add.</summary>
    public string? Comment { get; set; }

    /// <summary>The determinations the API accepts with a classification.</summary>
    public static IReadOnlyList<DefenderIncidentDetermination> DeterminationsFor(DefenderIncidentClassification classification) => s_determinations[classification];

    /// <summary>Throws when nothing is to change, or the determination does not fit the classification.</summary>
    public void Validate()
    {
        if (Status is null && AssignedTo is null && Classification is null && Determination is null && Tags is null && Comment is null)
        {
            throw new MdApiTokensException(DefenderErrors.UpdateInvalid, ErrorKind.InvalidArgument,
                "Nothing to change: give at least one of -Status, -AssignedTo, -Classification, -Determination, -Tag or -Comment.", null);
        }

        if (Classification is { } c && Determination is { } d && !s_determinations[c].Contains(d))
        {
            throw new MdApiTokensException(DefenderErrors.UpdateInvalid, ErrorKind.InvalidArgument,
                $"The determination {d} does not fit the classification {c}.", d,
                $"With {c}, use one of: {string.Join(", ", s_determinations[c])}.");
        }
    }

    /// <summary>A one-line description for -WhatIf and verbose output.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Status is { } s)
        {
            parts.Add("status " + s);
        }

        if (AssignedTo is not null)
        {
            parts.Add($"assigned to '{AssignedTo}'");
        }

        if (Classification is { } c)
        {
            parts.Add("classification " + c);
        }

        if (Determination is { } d)
        {
            parts.Add("determination " + d);
        }

        if (Tags is not null)
        {
            parts.Add(Tags.Count == 0 ? "remove all tags" : $"replace tags with [{string.Join(", ", Tags)}]");
        }

        if (Comment is not null)
        {
            parts.Add("add a comment");
        }

        return string.Join("; ", parts);
    }

    /// <summary>The JSON request body, with only the fields that are set.</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (Status is { } s)
            {
                writer.WriteString("status", s.ToString());
            }

            if (AssignedTo is not null)
            {
                writer.WriteString("assignedTo", AssignedTo);
            }

            if (Classification is { } c)
            {
                writer.WriteString("classification", c.ToString());
            }

            if (Determination is { } d)
            {
                writer.WriteString("determination", d.ToString());
            }

            if (Tags is not null)
            {
                writer.WriteStartArray("tags");
                foreach (var tag in Tags)
                {
                    writer.WriteStringValue(tag);
                }

                writer.WriteEndArray();
            }

            if (Comment is not null)
            {
                writer.WriteString("comment", Comment);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
