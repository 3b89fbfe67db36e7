using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Model;
using WeComSync.Normalization;

namespace WeComSync.AddressBook
{
    /// <summary>What to read from an export file.</summary>
    public sealed class AddressBookReadOptions
    {
        /// <summary>Sheets by 0-based index or by name; null or empty reads every sheet.</summary>
        public IList<string> Sheets { get; set; }

        /// <summary>
        /// 0-based row where the table starts (the header row), or the first data row when the header is above it.
        /// Null: find the header by its names (姓名 and 账号/帐号) within the first <see cref="HeaderSearchRows"/> rows.
        /// </summary>
        public int? StartRow { get; set; }

        /// <summary>0-based last row to read, inclusive; -1 reads to the end.</summary>
        public int EndRow { get; set; } = -1;

        /// <summary>Stop at the first bad row (an <see cref="AddressBookException"/>) instead of skipping it.</summary>
        public bool Strict { get; set; }

        /// <summary>Country code given to domestic (bare) mobile numbers.</summary>
        public string DefaultCountryCode { get; set; } = MobileNumber.DefaultCountryCode;

        /// <summary>How many rows to search for the header when <see cref="StartRow"/> is not given.</summary>
        public int HeaderSearchRows { get; set; } = 50;

        /// <summary>Called for every bad row (then skipped) and every warning, on the reading thread.</summary>
        public Action<AddressBookProblem> OnProblem { get; set; }

        /// <summary>Called every <see cref="ProgressInterval"/> rows and when a sheet starts.</summary>
        public Action<AddressBookProgress> OnProgress { get; set; }

        public int ProgressInterval { get; set; } = 2000;
    }

    public sealed class AddressBookProgress
    {
        public string File { get; set; }
        public string Sheet { get; set; }
        public int RowsRead { get; set; }
        /// <summary>0..1, from the position in the file.</summary>
        public double Fraction { get; set; }
    }

    /// <summary>Counts of one read, for a closing verbose line and for tests.</summary>
    public sealed class AddressBookSummary
    {
        public string File { get; set; }
        public string Format { get; set; }
        public string Encoding { get; set; }
        public List<string> Sheets { get; } = new List<string>();
        public int RowsRead { get; set; }
        public int UsersRead { get; set; }
        public int RowsSkipped { get; set; }
        public int Warnings { get; set; }
        public override string ToString() =>
            $"{File} ({Format}{(Encoding == null ? "" : ", " + Encoding)}): sheets {string.Join(", ", Sheets)}; {RowsRead} rows, {UsersRead} members, {RowsSkipped} rows skipped";
    }

    /// <summary>
    /// Reads the address book the WeCom admin console exports (DESIGN.md §5) one row at a time: users stream out as they
    /// are read, bad rows go to <see cref="AddressBookReadOptions.OnProblem"/> and are skipped, and a file that cannot be
    /// read at all throws one <see cref="AddressBookException"/>. Not thread safe; one reader per read.
    /// </summary>
    public sealed class AddressBookReader
    {
        private readonly AddressBookReadOptions _options;

        public AddressBookReader(AddressBookReadOptions options = null)
        {
            _options = options ?? new AddressBookReadOptions();
        }

        /// <summary>Counts of the last (or current) read.</summary>
        public AddressBookSummary Summary { get; private set; }

        public static string FormatOrigin(string file, string sheet, int row) => $"{file}, sheet {sheet}, row {row}";

        /// <summary>The department tree the members' 部门 paths describe, parents before children (see <see cref="DepartmentTree"/>).</summary>
        public IReadOnlyList<Department> ReadDepartments(string path)
        {
            var tree = new DepartmentTree();
            foreach (var user in ReadUsers(path)) tree.Add(user);
            var departments = tree.Build();
            foreach (var warning in tree.Warnings) Report(new AddressBookProblem(ProblemCodes.SeveralTopDepartments, ProblemSeverity.Warning, ProblemKind.InvalidData, $"{Summary.File}: {warning}"));
            return departments;
        }

        /// <summary>Streams the members of the file at <paramref name="path"/>.</summary>
        public IEnumerable<User> ReadUsers(string path)
        {
            using (var file = SpreadsheetFile.Open(path))
            {
                Summary = new AddressBookSummary { File = file.FileName, Format = file.Format, Encoding = file.CsvEncoding?.WebName };
                var selection = SelectSheets(file);
                var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
                var seenSheet = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                var pending = new List<User>(); // members with an empty 部门, waiting to learn the top department
                string top = null;
                int dataRows = 0, sheetsWithHeader = 0;

                int index = 0;
                do
                {
                    if (!selection.Contains(index)) continue;
                    string sheet = file.SheetName;
                    Summary.Sheets.Add(sheet);
                    _options.OnProgress?.Invoke(new AddressBookProgress { File = file.FileName, Sheet = sheet, RowsRead = Summary.RowsRead, Fraction = file.Fraction });

                    int rowIndex = -1;
                    string[] cells = null;
                    var header = FindHeader(file, sheet, selection.Count == 1 || _options.Sheets?.Count > 0, ref rowIndex, ref cells, out int firstDataRow);
                    if (header == null) continue;
                    sheetsWithHeader++;
                    var parser = new UserRowParser(header, _options.DefaultCountryCode);

                    // FindHeader may have read the first data row already (when StartRow points below the header).
                    bool haveRow = rowIndex >= firstDataRow;
                    while (haveRow || file.Read())
                    {
                        if (!haveRow) { rowIndex++; cells = file.GetRow(cells); }
                        haveRow = false;
                        if (rowIndex < firstDataRow) continue;
                        if (_options.EndRow >= 0 && rowIndex > _options.EndRow) break;
                        if (IsBlank(cells)) continue;

                        dataRows++;
                        Summary.RowsRead++;
                        if (Summary.RowsRead % _options.ProgressInterval == 0)
                            _options.OnProgress?.Invoke(new AddressBookProgress { File = file.FileName, Sheet = sheet, RowsRead = Summary.RowsRead, Fraction = file.Fraction });

                        int excelRow = rowIndex + 1;
                        var user = parser.Parse(cells, out var problem);
                        if (user == null)
                        {
                            RowError(problem.Code, file.FileName, sheet, excelRow, problem.Reason, header, cells);
                            continue;
                        }

                        string key = user.UserId;
                        if (seen.TryGetValue(key, out int firstRow))
                        {
                            string firstSheet = seenSheet[key];
                            string where = firstSheet == sheet ? $"row {firstRow}" : $"sheet {firstSheet}, row {firstRow}";
                            RowError(ProblemCodes.DuplicateUserId, file.FileName, sheet, excelRow,
                                $"账号 '{user.UserId}' is also used by {where} (账号 are compared without case); every member needs its own 账号. Both rows are in error: fix {where} (already read) as well",
                                header, cells, firstRow);
                            continue;
                        }
                        seen[key] = excelRow;
                        seenSheet[key] = sheet;
                        user.Origin = FormatOrigin(file.FileName, sheet, excelRow);

                        if (user.Departments.Count == 0)
                        {
                            // An empty 部门 means the exported directory itself: the top department, learnt from other rows.
                            if (top == null) { pending.Add(user); continue; }
                            user.Departments.Add(top);
                        }
                        else if (top == null)
                        {
                            top = DepartmentPaths.Top(user.Departments[0]);
                            foreach (var waiting in pending)
                            {
                                waiting.Departments.Add(top);
                                Summary.UsersRead++;
                                yield return waiting;
                            }
                            pending.Clear();
                        }
                        Summary.UsersRead++;
                        yield return user;
                    }
                }
                while (++index < file.SheetCount && file.NextSheet());

                if (sheetsWithHeader == 0)
                    throw Fail(ProblemCodes.HeaderNotFound, $"{file.FileName}: no sheet has the address book's header row (a row naming 姓名 and 账号). Export the address book from the WeCom admin console, or give -Sheet and -StartRow.");
                if (dataRows == 0)
                    throw Fail(ProblemCodes.NoMembers, $"{file.FileName}, sheet {string.Join(", ", Summary.Sheets)}: the header is there but no member rows follow. Export the address book again (an empty file would make a sync see no members).");

                if (pending.Count > 0)
                {
                    Report(new AddressBookProblem(ProblemCodes.TopDepartmentUnknown, ProblemSeverity.Warning, ProblemKind.InvalidData,
                        $"{file.FileName}: {pending.Count} member(s) have an empty 部门 and no row names the top department, so their departments are left empty."));
                    foreach (var waiting in pending)
                    {
                        Summary.UsersRead++;
                        yield return waiting;
                    }
                }
            }
        }

        /// <summary>The names of the file's sheets, in order (a CSV: its file name); for -Sheet's tab completion.</summary>
        public static IReadOnlyList<string> SheetNames(string path)
        {
            using (var file = SpreadsheetFile.Open(path)) return SheetNames(file);
        }

        private static List<string> SheetNames(SpreadsheetFile file)
        {
            var names = new List<string>();
            int i = 0;
            do names.Add(file.SheetName);
            while (++i < file.SheetCount && file.NextSheet());
            file.Reset();
            return names;
        }

        /// <summary>Indexes of the sheets to read. Names are matched first, then 0-based indexes.</summary>
        private HashSet<int> SelectSheets(SpreadsheetFile file)
        {
            var all = new HashSet<int>(Enumerable.Range(0, Math.Max(1, file.SheetCount)));
            var wanted = _options.Sheets?.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).ToList();
            if (wanted == null || wanted.Count == 0) return all;

            // Sheet names are only known by walking the workbook; do it only when asked for sheets.
            var names = SheetNames(file);

            var selection = new HashSet<int>();
            foreach (string s in wanted)
            {
                int byName = names.FindIndex(n => string.Equals(n, s, StringComparison.OrdinalIgnoreCase));
                if (byName >= 0) { selection.Add(byName); continue; }
                if (int.TryParse(s, out int byIndex) && byIndex >= 0 && byIndex < names.Count) { selection.Add(byIndex); continue; }
                throw new AddressBookException(new AddressBookProblem(ProblemCodes.SheetNotFound, ProblemSeverity.Error, ProblemKind.NotFound,
                    $"{file.FileName} has no sheet '{s}'. Its sheets are: {string.Join(", ", names.Select((n, k) => $"{k} '{n}'"))}."));
            }
            return selection;
        }

        /// <summary>
        /// Reads up to the header row and maps its columns. Returns null (after a warning) for a sheet without one when
        /// other sheets may have it; throws when the sheet was asked for, or when the header lacks a required column.
        /// </summary>
        private AddressBookColumns FindHeader(SpreadsheetFile file, string sheet, bool required, ref int rowIndex, ref string[] cells, out int firstDataRow)
        {
            firstDataRow = -1;
            int? start = _options.StartRow;
            int limit = start.HasValue ? start.Value : _options.HeaderSearchRows - 1;
            string[] headerCells = null, nearHeader = null;
            int headerRow = -1, nearRow = -1;
            while (rowIndex < limit || (start.HasValue && rowIndex < start.Value))
            {
                if (!file.Read()) break;
                rowIndex++;
                cells = file.GetRow(cells);
                if (start.HasValue && rowIndex == start.Value)
                {
                    // The table starts here: either this is the header, or it is the first data row below a header.
                    if (AddressBookColumns.IsHeaderRow(cells) || (headerCells == null && KnownFields(cells) >= 2)) { headerCells = (string[])cells.Clone(); headerRow = rowIndex; firstDataRow = rowIndex + 1; }
                    else firstDataRow = rowIndex;
                    break;
                }
                if (headerCells == null && AddressBookColumns.IsHeaderRow(cells))
                {
                    headerCells = (string[])cells.Clone(); headerRow = rowIndex;
                    if (!start.HasValue) { firstDataRow = rowIndex + 1; break; }
                }
                else if (nearHeader == null && KnownFields(cells) >= 3) { nearHeader = (string[])cells.Clone(); nearRow = rowIndex; }
            }

            if (headerCells == null && nearHeader != null) { headerCells = nearHeader; headerRow = nearRow; if (firstDataRow < 0) firstDataRow = nearRow + 1; }
            if (headerCells == null)
            {
                string where = start.HasValue ? $"at or above row {start.Value + 1}" : $"in the first {_options.HeaderSearchRows} rows";
                if (!required)
                {
                    Report(new AddressBookProblem(ProblemCodes.SheetSkipped, ProblemSeverity.Warning, ProblemKind.InvalidData,
                        $"{file.FileName}, sheet {sheet}: no header row (姓名, 账号 …) {where}; the sheet is skipped."));
                    return null;
                }
                throw Fail(ProblemCodes.HeaderNotFound, $"{file.FileName}, sheet {sheet}: no header row naming 姓名 and 账号 {where}. Check -Sheet and -StartRow, or export the address book again.");
            }

            var columns = AddressBookColumns.FromHeader(headerCells);
            var missing = AddressBookColumns.Required.Where(r => !columns.Has(r.Field)).Select(r => r.Header).ToList();
            if (missing.Count > 0)
                throw Fail(ProblemCodes.MissingColumn, $"{file.FileName}, sheet {sheet}, row {headerRow + 1}: the header has no {string.Join(", ", missing)} column (required: 姓名, 账号, 部门). Export the full address book from the WeCom admin console; nothing was imported.");
            return columns;
        }

        private static int KnownFields(string[] cells)
        {
            int n = 0;
            foreach (string c in cells) if (!string.IsNullOrEmpty(c) && AddressBookColumns.FieldOf(c) != AddressBookField.Extra) n++;
            return n;
        }

        private static bool IsBlank(string[] cells)
        {
            foreach (string c in cells)
            {
                if (c == null || c.Length == 0) continue;
                foreach (char ch in c) if (!Text.IsBlank(ch)) return false;
            }
            return true;
        }

        private AddressBookProblem RowError(string code, string file, string sheet, int excelRow, string reason, AddressBookColumns header, string[] cells, int relatedRow = 0)
        {
            var row = new AddressBookRow { File = file, Sheet = sheet, Row = excelRow };
            for (int i = 0; i < header.Headers.Count && i < cells.Length; i++)
                row.Cells[header.Headers[i]] = Text.Clean(cells[i]) ?? string.Empty;
            string message = $"{row.Origin}: {reason}." + (_options.Strict ? " Import stopped (-Strict)." : " The row is skipped.");
            var problem = new AddressBookProblem(code, ProblemSeverity.Error, ProblemKind.InvalidData, message, row);
            if (relatedRow > 0) problem.RelatedRows.Add(relatedRow);
            Summary.RowsSkipped++;
            if (_options.Strict) throw new AddressBookException(problem);
            Report(problem);
            return problem;
        }

        private void Report(AddressBookProblem problem)
        {
            if (problem.Severity == ProblemSeverity.Warning && Summary != null) Summary.Warnings++;
            _options.OnProblem?.Invoke(problem);
        }

        private static AddressBookException Fail(string code, string message) =>
            new AddressBookException(new AddressBookProblem(code, ProblemSeverity.Error, ProblemKind.InvalidData, message));
    }
}
