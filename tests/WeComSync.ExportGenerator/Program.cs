using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using WeComSync.ExportGenerator;

const string Help = @"WeComSync.ExportGenerator: writes a WeCom admin-console member export (成员列表) for tests, demos and benchmarks.

Usage: dotnet WeComSync.ExportGenerator.dll --users N --out FILE [options]

  --out FILE             file to write; .xlsx (default layout: 8 merged instruction rows, header on row 9),
                         .csv or .xls (minimal BIFF8) by extension
  --users N              members to write (default 100)
  --seed N               random seed; the same seed gives the same file (default 1)
  --company NAME         top department, the first level of every path (default 星河科技)
  --biz-mail             the 15-column variant with 企业邮箱 after 地址
  --old-spelling         older headers: 帐号 and 个人邮箱
  --numbers              store domestic mobile numbers as numbers (as Excel does for a General column)
  --multi-dept-rate R    share of members in two departments, 0..1 (default 0.1)
  --separator S          between departments: fullwidth (；, default), ascii (;) or mixed
  --bad-rows N           add N bad rows, cycling through: EmptyName, InvalidUserId, DuplicateUserId, NoMobileOrEmail,
                         DepartmentTooDeep, InvalidDepartmentName, InvalidMobile, TooManyDepartments, EmptyUserId
  --custom-columns N     add N custom (对内) columns after the standard ones (工号, 自定义字段2, …)
  --encoding E           for .csv: utf8-bom (default), utf8 or gb18030
  --sheet NAME           sheet name (default 成员列表)
  --padded-ids N         N members get a 账号 of digits with leading zeros (00007), written as text
  --ids-as-numbers       write those 账号 as numbers with the number format 00000 (Excel shows 00007; a retyped cell)
  --spill N              the last N members go onto a second sheet (Sheet2) without the header (a list split by hand)
  --hidden-spill N       the last N members go onto a second sheet (成员列表2) with the header, hidden (a sheet hidden by hand)
  --zeros-lost           with --padded-ids: those 账号 lose their leading zeros (00007 -> 7), as when Excel re-saves a CSV
  --wrong-separator C    members in several departments get them joined by C (， , or 、) instead of ；
  --fullwidth-slash N    N members' 部门 has a full-width ／ for its first level separator (示例科技／研发部)
  --other-top N          N members' paths start with another top department (the company's name + （香港）)
  --no-instructions      leave out the instruction block: the header is the first row (a plain table, e.g. for Import-Csv)
  --from-dump FILE       instead of generated members: the export the console gives for an emulator dump (GET
                         /_emulator/state, or Get-WeComSyncEmulatorState as JSON), every WeCom member as a row
  --zip-bomb MB          instead of members: the real template whose sheet expands to MB megabytes of rows (about
                         1 MB of file per GB), to check that readers refuse it with bounded memory
  --help                 this text

Prints one line: rows written, file and time taken.";

var options = new GeneratorOptions();
string output = null;
var encoding = CsvEncoding.Utf8Bom;
bool plain = false;
int bombMegabytes = 0, spill = 0;
bool hiddenSpill = false;
string dump = null;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i].ToLowerInvariant())
        {
            case "--help": case "-h": case "-?": Console.WriteLine(Help); return 0;
            case "--out": output = Next(); break;
            case "--users": options.Users = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--seed": options.Seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--company": options.Company = Next(); break;
            case "--biz-mail": options.BizMail = true; break;
            case "--old-spelling": options.OldSpelling = true; break;
            case "--numbers": options.NumbersAsNumbers = true; break;
            case "--multi-dept-rate": options.MultiDepartmentRate = double.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--separator": options.Separator = Next().ToLowerInvariant() switch { "ascii" => SeparatorStyle.Ascii, "mixed" => SeparatorStyle.Mixed, "fullwidth" => SeparatorStyle.FullWidth, var s => throw new ArgumentException($"unknown separator '{s}'") }; break;
            case "--bad-rows": options.BadRows = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--custom-columns": options.CustomColumns = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--encoding": encoding = Next().ToLowerInvariant() switch { "utf8" => CsvEncoding.Utf8, "utf8-bom" => CsvEncoding.Utf8Bom, "gb18030" or "gbk" => CsvEncoding.Gb18030, var s => throw new ArgumentException($"unknown encoding '{s}'") }; break;
            case "--sheet": options.SheetName = Next(); break;
            case "--no-instructions": plain = true; break;
            case "--padded-ids": options.PaddedIds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--ids-as-numbers": options.IdsAsNumbers = true; break;
            case "--spill": spill = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--hidden-spill": spill = int.Parse(Next(), CultureInfo.InvariantCulture); hiddenSpill = true; break;
            case "--zeros-lost": options.ZerosLost = true; break;
            case "--wrong-separator": options.WrongSeparator = Next() switch { "，" or "fullwidth-comma" => "，", "," or "comma" => ",", "、" or "enumeration-comma" => "、", var c => throw new ArgumentException($"unknown separator '{c}' (，, , or 、)") }; break;
            case "--fullwidth-slash": options.FullWidthSlash = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--other-top": options.OtherTop = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--from-dump": dump = Next(); break;
            case "--zip-bomb": bombMegabytes = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            default: throw new ArgumentException($"unknown option '{args[i]}'");
        }
    }
    if (output == null) throw new ArgumentException("--out is required");
    if (options.Users < 0 || options.BadRows < 0) throw new ArgumentException("--users and --bad-rows must be 0 or more");
}
catch (Exception ex) when (ex is ArgumentException || ex is FormatException)
{
    Console.Error.WriteLine($"error: {ex.Message}\n\n{Help}");
    return 2;
}

var watch = Stopwatch.StartNew();
if (bombMegabytes > 0)
{
    HandEditedExport.WriteZipBomb(Path.GetFullPath(output), bombMegabytes);
    Console.WriteLine($"wrote a {new FileInfo(output).Length / 1024.0:N0} KB file expanding to {bombMegabytes} MB to {Path.GetFullPath(output)} in {watch.Elapsed.TotalSeconds:0.0}s");
    return 0;
}
var sheet = dump != null ? ConsoleExport.FromDump(File.ReadAllText(dump)) : MemberGenerator.Generate(options);
if (plain) sheet.Instructions = null;
string full = Path.GetFullPath(output);
Directory.CreateDirectory(Path.GetDirectoryName(full)!);
if (spill > 0 && !full.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
{
    // The last rows pasted onto another sheet without the header row.
    var rows = new System.Collections.Generic.List<object[]>(sheet.Rows);
    int keep = Math.Max(0, rows.Count - spill);
    var second = hiddenSpill
        ? new ExportSheet { Name = sheet.Name + "2", Header = sheet.Header, Hidden = true, Rows = rows.GetRange(keep, rows.Count - keep) }
        : new ExportSheet { Name = "Sheet2", Instructions = null, Header = null, Rows = rows.GetRange(keep, rows.Count - keep) };
    sheet.Rows = rows.GetRange(0, keep);
    ExportWriter.Write(full, encoding, sheet, second);
}
else ExportWriter.Write(full, encoding, sheet);
Console.WriteLine(dump != null ? $"wrote {sheet.Rows.Count} rows (the members of {dump}) to {full} in {watch.Elapsed.TotalSeconds:0.0}s"
    : $"wrote {sheet.Rows.Count} rows ({options.Users} members, {options.BadRows} bad) to {full} in {watch.Elapsed.TotalSeconds:0.0}s");
return 0;
