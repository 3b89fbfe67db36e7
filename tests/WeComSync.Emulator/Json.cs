using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace WeComSync.Emulator;

/// <summary>JSON helpers shared by both APIs: tolerant readers over <see cref="JsonNode"/> and one writer setting.</summary>
internal static class Json
{
    /// <summary>Writes non-ASCII text as is (both real APIs answer UTF-8 Chinese unescaped).</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    public static JsonNode Parse(byte[] body)
    {
        if (body == null || body.Length == 0) return null;
        try { return JsonNode.Parse(body); }
        catch (JsonException) { throw new BadJsonException(); }
    }

    public static bool Has(this JsonObject o, string name) => o != null && o.ContainsKey(name);

    public static string Str(this JsonObject o, string name)
    {
        if (o == null || !o.TryGetPropertyValue(name, out var n) || n == null) return null;
        if (n is JsonValue v)
        {
            if (v.TryGetValue<string>(out var s)) return s;
            return v.ToJsonString();
        }
        return n.ToJsonString();
    }

    public static long? Long(this JsonObject o, string name)
    {
        if (o == null || !o.TryGetPropertyValue(name, out var n) || n == null) return null;
        if (n is JsonValue v)
        {
            if (v.TryGetValue<long>(out var l)) return l;
            if (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d >= long.MinValue && d <= long.MaxValue) return (long)d;
            if (v.TryGetValue<string>(out var s) && long.TryParse(s, out l)) return l;
        }
        throw new BadFieldException(name);
    }

    public static bool? Bool(this JsonObject o, string name)
    {
        if (o == null || !o.TryGetPropertyValue(name, out var n) || n == null) return null;
        if (n is JsonValue v)
        {
            if (v.TryGetValue<bool>(out var b)) return b;
            if (v.TryGetValue<string>(out var s) && bool.TryParse(s, out b)) return b;
            if (v.TryGetValue<long>(out var l)) return l != 0;
        }
        throw new BadFieldException(name);
    }

    public static JsonArray Arr(this JsonObject o, string name)
    {
        if (o == null || !o.TryGetPropertyValue(name, out var n) || n == null) return null;
        return n as JsonArray ?? throw new BadFieldException(name);
    }

    public static JsonObject Obj(this JsonObject o, string name)
    {
        if (o == null || !o.TryGetPropertyValue(name, out var n) || n == null) return null;
        return n as JsonObject ?? throw new BadFieldException(name);
    }

    public static List<string> Strings(this JsonObject o, string name)
    {
        var a = o.Arr(name);
        if (a == null) return null;
        var list = new List<string>(a.Count);
        foreach (var n in a)
        {
            if (n is JsonValue v && v.TryGetValue<string>(out var s)) list.Add(s);
            else if (n is JsonValue v2 && v2.TryGetValue<long>(out var l)) list.Add(l.ToString());
            else throw new BadFieldException(name);
        }
        return list;
    }

    public static List<long> Longs(this JsonObject o, string name)
    {
        var a = o.Arr(name);
        if (a == null) return null;
        var list = new List<long>(a.Count);
        foreach (var n in a)
        {
            if (n is JsonValue v && v.TryGetValue<long>(out var l)) list.Add(l);
            else if (n is JsonValue v2 && v2.TryGetValue<double>(out var d) && d == Math.Floor(d)) list.Add((long)d);
            else if (n is JsonValue v3 && v3.TryGetValue<string>(out var s) && long.TryParse(s, out l)) list.Add(l);
            else throw new BadFieldException(name);
        }
        return list;
    }

    public static T Deserialize<T>(JsonNode node) => node == null ? default : node.Deserialize<T>(Options);

    public static JsonNode ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Options);
}

/// <summary>The request body is not JSON.</summary>
internal sealed class BadJsonException : Exception
{
    public BadJsonException() : base("request body is not valid JSON") { }
}

/// <summary>A field has the wrong JSON type.</summary>
internal sealed class BadFieldException : Exception
{
    public BadFieldException(string field) : base($"field '{field}' has the wrong type") => Field = field;
    public string Field { get; }
}
