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

        /// <summary>Progress is written every this many rows (and when a sheet starts).</summary>
        public int ProgressInterval { get; set; } = 2000;

        /// <summary>
        /// Warn that a bad row whose 账号 cannot be read keeps the file from telling who left (on top of the row's own
        /// error). A sync run turns it off: it says so once, as the delete refusal, and only when it would delete.
        /// </summary>
        public bool WarnIncompleteForDeletes { get; set; } = true;
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
        public int MaskedValues { get; set; }
        public int UnknownCells { get; set; }
        public override string ToString() =>
            $"{File} ({Format}{(Encoding == null ? "" : ", " + Encoding)}): sheets {string.Join(", ", Sheets)}; {RowsRead} rows, {UsersRead} members, {RowsSkipped} rows skipped" +
            (MaskedValues > 0 ? $", {MaskedValues} masked values" : "") + (UnknownCells > 0 ? $", {UnknownCells} unreadable cells" : "");
    }

    /// <summary>One read of an export: its members, the department tree they describe, and the read's counts.</summary>
    public sealed class AddressBookExport
    {
        public AddressBookExport(List<User> users, IReadOnlyList<Department> departments, AddressBookSummary summary)
        {
            Users = users;
            Departments = departments;
            Summary = summary;
        }

        public List<User> Users { get; }
        public IReadOnlyList<Department> Departments { get; }
        public AddressBookSummary Summary { get; }
    }

    /// <summary>
    /// Reads the address book the WeCom admin console exports (docs/ARCHITECTURE.md §4) one row at a time: users stream out as they
    /// are read; each bad row is written to the output as an error (its <see cref="AddressBookRow"/> the target) and skipped,
    /// and what its 账号 and 部门 still tell is kept as data (<see cref="SkippedRecords"/>); warnings, progress and a closing
    /// summary (verbose) go to the output too. A file that cannot be read at all throws one <see cref="AddressBookException"/>.
    /// Not thread safe; one reader per read.
    /// </summary>
    public sealed class AddressBookReader
    {
        /// <summary>What a bad row's error record recommends.</summary>
        public const string FixRowAdvice = "Fix the row in the file (or in the WeCom admin console) and export again; the other rows were read.";

        private readonly AddressBookReadOptions _options;
        private readonly IOutputWriter _output;

        public AddressBookReader(AddressBookReadOptions options = null, IOutputWriter output = null)
        {
            _options = options ?? new AddressBookReadOptions();
            _output = output ?? NullOutputWriter.Instance;
        }

        /// <summary>Counts of the last (or current) read.</summary>
        public AddressBookSummary Summary { get; private set; }

        public static string FormatOrigin(string file, string sheet, int row) => $"{file}, sheet {sheet}, row {row}";

        /// <summary>The department tree the members' 部门 paths describe, parents before children (see <see cref="DepartmentTree"/>).</summary>
        public IReadOnlyList<Department> ReadDepartments(string path)
        {
            var tree = new DepartmentTree();
            foreach (var user in ReadUsers(path)) tree.Add(user);
            return BuildTree(tree);
        }

        /// <summary>
        /// The members and the department tree of the file in one read (a sync run needs both): each bad row and warning
        /// is reported once, and both carry what the skipped rows still tell (<see cref="SkippedRecords"/>).
        /// </summary>
        public AddressBookExport ReadExport(string path)
        {
            var tree = new DepartmentTree();
            var users = new List<User>();
            foreach (var user in ReadUsers(path))
            {
                tree.Add(user);
                users.Add(user);
            }
            return new AddressBookExport(users, BuildTree(tree), Summary);
        }

        private IReadOnlyList<Department> BuildTree(DepartmentTree tree)
        {
            // Several top departments were said by the read itself (naming the rows), and refuse deletes there.
            var departments = tree.Build();

            // Departments named only on skipped rows exist in WeCom all the same: never deleted (nor created from a bad row).
            var skipped = new SkippedRecords { IncompleteReason = _departmentsIncomplete };
            foreach (var pair in _skippedDepartments) if (!tree.Contains(pair.Key)) skipped.Add(pair.Key, pair.Value);
            if (skipped.Keys.Count > 0 || skipped.IncompleteReason != null)
                foreach (var d in departments) d.Skipped = skipped;
            return departments;
        }

        // What the rows skipped as bad still tell (see SkippedRecords): filled while reading.
        private SkippedRecords _skippedUsers;
        private Dictionary<string, string> _skippedDepartments;
        private string _departmentsIncomplete;
        private int _unreadableRows, _departmentUnreadableRows;

        /// <summary>Streams the members of the file at <paramref name="path"/>.</summary>
        public IEnumerable<User> ReadUsers(string path)
        {
            string activity = "Reading " + System.IO.Path.GetFileName(path);
            try
            {
                foreach (var user in Read(path, activity)) yield return user;
                _output.WriteVerbose(Summary.ToString());
            }
            finally
            {
                _output.WriteProgress(activity, "done", 100);
            }
        }

        private IEnumerable<User> Read(string path, string activity)
        {
            using (var file = SpreadsheetFile.Open(path))
            {
                Summary = new AddressBookSummary { File = file.FileName, Format = file.Format, Encoding = file.CsvEncoding?.WebName };
                _skippedUsers = new SkippedRecords();
                _skippedDepartments = new Dictionary<string, string>(StringComparer.Ordinal);
                _departmentsIncomplete = _rowsIncomplete = _rowDepartmentsIncomplete = null;
                _sheetsIncomplete.Clear();
                _tops.Clear();
                _topsIncomplete = null;
                _unreadableRows = _departmentUnreadableRows = 0;
                var selection = SelectSheets(file);
                bool sheetsGiven = _options.Sheets?.Any(s => !string.IsNullOrWhiteSpace(s)) == true;
                // Every 账号 met on any row, valid or bad (and both ids of old:new), with its row: duplicates are found
                // across rows and sheets, and a 账号 is never on two rows unnoticed.
                var seen = new Dictionary<string, (int Row, string Sheet, string Partner)>(StringComparer.OrdinalIgnoreCase);
                var pending = new List<User>(); // members with an empty 部门, waiting to learn the top department
                var withHeader = new List<string>();
                var hidden = new List<string>();
                string top = null;
                int dataRows = 0, masked = 0, hiddenSheets = 0;
                string pastEnd = null;

                int index = 0;
                do
                {
                    if (!selection.Contains(index)) continue;
                    string sheet = file.SheetName;
                    if (!sheetsGiven && file.IsHidden)
                    {
                        // Not read (a hidden sheet is not what the admin sees), but rows of a table on it may be members
                        // hidden by hand: then the file is incomplete for deletes, as for a sheet without a header.
                        hiddenSheets++;
                        int hiddenTableRows = 0;
                        string[] row = null;
                        while (file.Read()) { row = file.GetRow(row); if (IsTableRow(row) && !AddressBookColumns.IsHeaderRow(row)) hiddenTableRows++; }  // a copied header is not a member
                        if (hiddenTableRows > 0) Report(new AddressBookProblem(ProblemCodes.HiddenSheetSkipped, ProblemSeverity.Warning, ProblemKind.InvalidData, MarkHiddenSheetIncomplete(file.FileName, sheet, hiddenTableRows)));
                        else hidden.Add(sheet);
                        continue;
                    }
                    Summary.Sheets.Add(sheet);
                    Progress(activity, sheet, file);

                    int rowIndex = -1;
                    string[] cells = null;
                    var header = FindHeader(file, sheet, selection.Count == 1 || sheetsGiven, ref rowIndex, ref cells, out int firstDataRow, out int tableRows);
                    if (header == null)
                    {
                        // Rows without a header are not read, but they may be members (the end of a long list pasted onto
                        // another sheet): such a sheet makes the file incomplete, as an unreadable row does.
                        while (file.Read())
                        {
                            rowIndex++;
                            cells = file.GetRow(cells);
                            if (IsTableRow(cells)) tableRows++;
                        }
                        // A sheet of notes (one column of text) is only skipped; one holding a table also makes the file
                        // incomplete for deletes, and that warning (the refusal's reason) says it was skipped.
                        // Said at once, also in a run that does not delete: those rows are not created or updated either.
                        if (tableRows > 0) Report(new AddressBookProblem(ProblemCodes.SheetSkipped, ProblemSeverity.Warning, ProblemKind.InvalidData, MarkSheetIncomplete(file.FileName, sheet, tableRows)));
                        else Report(new AddressBookProblem(ProblemCodes.SheetSkipped, ProblemSeverity.Warning, ProblemKind.InvalidData,
                            $"{file.FileName}, sheet {sheet}: no header row (姓名, 账号 …) {HeaderWhere()}; the sheet is skipped."));
                        continue;
                    }
                    withHeader.Add(sheet);
                    if (withHeader.Count == 2 && !sheetsGiven)
                        Report(new AddressBookProblem(ProblemCodes.SeveralSheets, ProblemSeverity.Warning, ProblemKind.InvalidData,
                            $"{file.FileName}: sheets '{withHeader[0]}' and '{sheet}' both have a member header, and every such sheet is read. If one is a stale copy or another list (an HR roster), give -Sheet with the export's sheet."));
                    var parser = new UserRowParser(header, _options.DefaultCountryCode) { FileTop = top };

                    // FindHeader may have read the first data row already (when StartRow points below the header).
                    bool haveRow = rowIndex >= firstDataRow;
                    int hiddenRows = 0;
                    while (haveRow || file.Read())
                    {
                        if (!haveRow) { rowIndex++; cells = file.GetRow(cells); }
                        haveRow = false;
                        if (rowIndex < firstDataRow) continue;
                        if (_options.EndRow >= 0 && rowIndex > _options.EndRow) break;
                        file.FillMerged(cells, rowIndex);
                        string[] unknown = file.UnknownCells(rowIndex, cells.Length);
                        if (unknown == null && IsBlank(cells)) continue;

                        dataRows++;
                        if (file.RowHidden) hiddenRows++;
                        Summary.RowsRead++;
                        if (Summary.RowsRead % _options.ProgressInterval == 0)
                            Progress(activity, sheet, file);

                        int excelRow = rowIndex + 1;
                        if (unknown != null) WarnUnknown(file.FileName, sheet, excelRow, unknown);
                        var user = parser.Parse(cells, unknown, out var problem);
                        if (user != null && parser.Warning != null)
                            Report(new AddressBookProblem(ProblemCodes.PositionTooLong, ProblemSeverity.Warning, ProblemKind.InvalidData, $"{FormatOrigin(file.FileName, sheet, excelRow)}: {parser.Warning}."));
                        var keys = user == null ? parser.ReadKeys(cells, unknown)
                            : user.PreviousUserId == null ? new[] { user.UserId } : new[] { user.UserId, user.PreviousUserId };

                        // A 账号 on two rows (or an old:new whose old or new is another row's 账号): neither row is synced.
                        string clash = null;
                        (int Row, string Sheet, string Partner) first = default;
                        if (keys != null) foreach (string k in keys) if (seen.TryGetValue(k, out first)) { clash = k; break; }
                        if (clash != null)
                        {
                            string firstWhere = first.Sheet == sheet ? $"row {first.Row}" : $"sheet {first.Sheet}, row {first.Row}";
                            string thisWhere = first.Sheet == sheet ? $"row {excelRow}" : $"sheet {sheet}, row {excelRow}";
                            string origin = FormatOrigin(file.FileName, sheet, excelRow), firstOrigin = FormatOrigin(file.FileName, first.Sheet, first.Row);
                            foreach (string k in keys) _skippedUsers.Add(k, origin);
                            _skippedUsers.Add(clash, firstOrigin);
                            _skippedUsers.Add(first.Partner, firstOrigin);
                            string what = keys.Length > 1 || first.Partner != null ? $"'{clash}' is both a 账号 and part of an old:new rename" : $"账号 '{clash}' is on two rows (账号 are compared without case)";
                            RowError(ProblemCodes.DuplicateUserId, file.FileName, first.Sheet, first.Row,
                                $"{what}: here and on {thisWhere}; neither row is synced. Keep one row per member", header, null, skips: false);
                            RowError(ProblemCodes.DuplicateUserId, file.FileName, sheet, excelRow,
                                (problem.Reason == null ? "" : problem.Reason + "; also, ") + $"{what}: here and on {firstWhere}; neither row is synced. Keep one row per member",
                                header, cells);
                            SkipDepartments(parser, cells, unknown, origin);
                            continue;
                        }
                        if (keys != null)
                        {
                            seen[keys[0]] = (excelRow, sheet, keys.Length > 1 ? keys[1] : null);
                            if (keys.Length > 1) seen[keys[1]] = (excelRow, sheet, keys[0]);
                        }

                        if (user == null)
                        {
                            string origin = FormatOrigin(file.FileName, sheet, excelRow);
                            if (keys != null) foreach (string k in keys) _skippedUsers.Add(k, origin);
                            else MarkIncomplete(origin, parser.WhyNoKey(cells, unknown));
                            SkipDepartments(parser, cells, unknown, origin);
                            RowError(problem.Code, file.FileName, sheet, excelRow, problem.Reason, header, cells);
                            continue;
                        }
                        user.Origin = FormatOrigin(file.FileName, sheet, excelRow);
                        user.Skipped = _skippedUsers;

                        if (user.Departments.Count == 0)
                        {
                            // An empty 部门 means the exported directory itself: the top department, learnt from other rows.
                            if (top == null) { pending.Add(user); continue; }
                            user.Departments.Add(top);
                        }
                        else if (top == null)
                        {
                            top = DepartmentPaths.Top(user.Departments[0]);
                            parser.FileTop = top;
                            foreach (var waiting in pending)
                            {
                                waiting.Departments.Add(top);
                                CountTops(waiting, file.FileName);
                                Summary.UsersRead++;
                                yield return waiting;
                            }
                            pending.Clear();
                        }
                        CountTops(user, file.FileName);
                        Summary.UsersRead++;
                        yield return user;
                    }
                    masked += parser.MaskedValues;
                    if (hiddenRows > 0)
                        Report(new AddressBookProblem(ProblemCodes.HiddenRowsRead, ProblemSeverity.Warning, ProblemKind.InvalidData,
                            $"{file.FileName}, sheet {sheet}: {hiddenRows} member row(s) are hidden (by a filter or by hand) and were read like the others: the export is the whole file, not what a filter shows. Delete the rows of members who are not to be synced."));
                    if (rowIndex < firstDataRow && _options.StartRow.HasValue)
                        pastEnd = $"{file.FileName}, sheet {sheet}: -StartRow {_options.StartRow} (row {_options.StartRow + 1} in Excel) is past the sheet's last row ({rowIndex + 1}); nothing was read. -StartRow counts from 0: give the header's Excel row number minus 1, or leave it out.";
                }
                while (++index < file.SheetCount && file.NextSheet());

                if (hidden.Count > 0)
                    Report(new AddressBookProblem(ProblemCodes.HiddenSheetSkipped, ProblemSeverity.Warning, ProblemKind.InvalidData,
                        $"{file.FileName}: hidden sheet(s) {string.Join(", ", hidden.Select(h => "'" + h + "'"))} not read; give -Sheet to read one."));
                if (withHeader.Count == 0)
                    throw Fail(ProblemCodes.HeaderNotFound, $"{file.FileName}: no {(hiddenSheets > 0 ? "visible " : "")}sheet has the address book's header row (a row naming 姓名 and 账号). Export the address book from the WeCom admin console, or give -Sheet and -StartRow.");
                if (dataRows == 0 && pastEnd != null) throw Fail(ProblemCodes.NoMembers, pastEnd);
                if (dataRows == 0)
                    throw Fail(ProblemCodes.NoMembers, $"{file.FileName}, sheet {string.Join(", ", Summary.Sheets)}: the header is there but no member rows follow. Export the address book again (an empty file would make a sync see no members).");
                if (masked > 0)
                {
                    Summary.MaskedValues = masked;
                    Report(new AddressBookProblem(ProblemCodes.ValuesMasked, ProblemSeverity.Warning, ProblemKind.InvalidData,
                        $"{file.FileName}: {masked} mobile or email value(s) are masked (like 138****0005): the export was made by an admin who may not see personal data. They are read as unknown: never compared, never written. To sync them, export as an admin who can see them."));
                }
                if (_tops.Count > 1) Report(new AddressBookProblem(ProblemCodes.SeveralTopDepartments, ProblemSeverity.Warning, ProblemKind.InvalidData, MarkSeveralTops(file.FileName)));
                // The rows' part only: a skipped sheet said so when it was met (the refusal's reason holds both).
                if (_rowsIncomplete != null && _options.WarnIncompleteForDeletes)
                    Report(new AddressBookProblem(ProblemCodes.IncompleteForDeletes, ProblemSeverity.Warning, ProblemKind.InvalidData, _rowsIncomplete));

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

        /// <summary>A skipped row whose 账号 cannot be read could be anyone: deletes cannot follow from this file.</summary>
        private void MarkIncomplete(string origin, string why)
        {
            _unreadableRows++;
            string more = _unreadableRows > 1 ? $" (and {_unreadableRows - 1} more such row(s))" : "";
            if (_unreadableRows == 1) _firstUnreadable = $"{origin} was skipped and {why}";
            _rowsIncomplete =
                $"{_firstUnreadable}{more}, so the file cannot show which members left: no member is deleted because of this file. Fix the 账号 on that row (or delete the row if the member has left) and export or save again";
            ComposeIncomplete();
        }

        /// <summary>
        /// A sheet that was skipped (no header row) but holds rows of a table: they may be members, so neither member
        /// nor department deletes can follow from this file.
        /// </summary>
        private string MarkSheetIncomplete(string file, string sheet, int rows) =>
            MarkIncompleteBy(_sheetsIncomplete,
                $"{file}, sheet {sheet}: no header row (姓名, 账号 …) {HeaderWhere()}, so the sheet was skipped, yet it holds {rows} non-blank row(s) that were not read; they may be members (rows pasted without the header)",
                SheetFix);

        /// <summary>
        /// A hidden sheet is not read unless asked for (-Sheet), but one holding rows of a table may hold members hidden by
        /// hand: neither member nor department deletes can follow from this file (the rule of a skipped sheet).
        /// </summary>
        private string MarkHiddenSheetIncomplete(string file, string sheet, int rows) =>
            MarkIncompleteBy(_sheetsIncomplete,
                $"{file}, sheet {sheet} is hidden, so it was not read, yet it holds {rows} non-blank row(s); they may be members (a sheet hidden by hand, or rows moved there)",
                HiddenSheetFix);

        /// <summary>
        /// Rows under two or more top departments: an export's paths all start with the company's name, so the file is
        /// not one company's export (a pasted row of another company, a mistyped top): no deletes follow from it, and the
        /// department step is refused (<see cref="Comparison.DirectoryComparer"/>).
        /// </summary>
        private string MarkSeveralTops(string file)
        {
            var tops = _tops.Values.OrderByDescending(t => t.Rows).ThenBy(t => t.Order).ToList();
            var main = tops[0];
            string others = string.Join(" and ", tops.Skip(1).Select(t =>
                $"'{t.Name}' ({t.Rows} row(s): {string.Join("; ", t.Origins)}{(t.Rows > t.Origins.Count ? $" and {t.Rows - t.Origins.Count} more" : "")})"));
            string what = $"{file}: the 部门 paths start with {tops.Count} different top departments, '{main.Name}' ({main.Rows} row(s)) and {others}; an export's paths all start with the company's name (WeCom's root department), so the file is not one company's export";
            _topsIncomplete = what;
            _topsFix = $"Make those rows' 部门 start with '{main.Name}' (or take the rows out if they are not this company's members), or export the address book again, and save again";
            ComposeIncomplete();
            return _options.WarnIncompleteForDeletes
                ? $"{what}. So no member or department is deleted because of this file, and a sync run does not change departments. {_topsFix}"
                : $"{what}. A sync run does not change departments because of this (and deletes nothing). {_topsFix}";
        }

        private string MarkIncompleteBy(List<(string What, string Fix)> list, string what, string fix)
        {
            list.Add((what, fix));
            ComposeIncomplete();
            // A sync run says the delete part once, as the refusal (WarnIncompleteForDeletes off); the skipped rows are said here.
            return _options.WarnIncompleteForDeletes
                ? $"{what}. So the file cannot show which members left: no member is deleted because of this file. {fix}"
                : $"{what}. {fix}";
        }

        /// <summary>Counts the rows under each top department (the first level of each path), with the first few rows' places.</summary>
        private void CountTops(User user, string file)
        {
            string previous = null;
            foreach (string path in user.Departments)
            {
                string name = DepartmentPaths.Top(path);
                if (name == previous) continue;
                previous = name;
                if (!_tops.TryGetValue(name, out var rows)) _tops.Add(name, rows = new TopRows { Name = name, Order = _tops.Count });
                rows.Rows++;
                if (rows.Origins.Count < 3 && user.Origin != null)
                    rows.Origins.Add(user.Origin.StartsWith(file + ", ", StringComparison.Ordinal) ? user.Origin.Substring(file.Length + 2) : user.Origin);
            }
        }

        private sealed class TopRows
        {
            public string Name;
            public int Order, Rows;
            public readonly List<string> Origins = new List<string>(3);
        }

        private readonly Dictionary<string, TopRows> _tops = new Dictionary<string, TopRows>(StringComparer.Ordinal);
        private string _topsIncomplete, _topsFix;

        private const string SheetFix = "Put the header row (copy row 9 of 成员列表) above those rows, or move them onto the export's sheet, or delete the sheet if it is not the address book (or give -Sheet with the export's sheet), and save again";

        private const string HiddenSheetFix = "Unhide the sheet and move its member rows onto the export's sheet, or delete the sheet if it is not the address book (or give -Sheet with the export's sheet: a sheet given by name is read even when hidden), and save again";

        private string HeaderWhere() => _options.StartRow.HasValue ? $"at or above row {_options.StartRow.Value + 1}" : $"in the first {_options.HeaderSearchRows} rows";

        private void ComposeIncomplete()
        {
            var users = new List<string>();
            var departments = new List<string>();
            if (_sheetsIncomplete.Count > 0)
            {
                string sheets = string.Join("; ", _sheetsIncomplete.Select(x => x.What));
                string fixes = string.Join(". ", _sheetsIncomplete.Select(x => x.Fix).Distinct());
                users.Add($"{sheets}. So the file cannot show which members left: no member is deleted because of this file. {fixes}");
                departments.Add($"{sheets}. So the file cannot show which departments are gone: no department is deleted because of this file. {fixes}");
            }
            if (_topsIncomplete != null)
            {
                users.Add($"{_topsIncomplete}. So no member is deleted because of this file. {_topsFix}");
                departments.Add($"{_topsIncomplete}. So no department is deleted because of this file. {_topsFix}");
            }
            if (_rowsIncomplete != null) users.Add(_rowsIncomplete);
            if (_rowDepartmentsIncomplete != null) departments.Add(_rowDepartmentsIncomplete);
            _skippedUsers.IncompleteReason = users.Count == 0 ? null : string.Join(". Also: ", users);
            _departmentsIncomplete = departments.Count == 0 ? null : string.Join(". Also: ", departments);
        }

        private string _firstUnreadable, _firstDepartmentUnreadable, _rowsIncomplete, _rowDepartmentsIncomplete;
        private readonly List<(string What, string Fix)> _sheetsIncomplete = new List<(string What, string Fix)>();

        /// <summary>The departments a skipped row names are not gone either; a 部门 that cannot be read makes department deletes unsafe.</summary>
        private void SkipDepartments(UserRowParser parser, string[] cells, string[] unknown, string origin)
        {
            var paths = parser.ReadDepartments(cells, unknown, out string why);
            if (paths == null)
            {
                _departmentUnreadableRows++;
                if (_departmentUnreadableRows == 1) _firstDepartmentUnreadable = $"{origin} was skipped and {why}";
                string more = _departmentUnreadableRows > 1 ? $" (and {_departmentUnreadableRows - 1} more such row(s))" : "";
                _rowDepartmentsIncomplete = $"{_firstDepartmentUnreadable}{more}, so the file cannot show which departments are gone: no department is deleted because of this file. Fix the 部门 on that row and export or save again";
                ComposeIncomplete();
                return;
            }
            foreach (string p in paths)
                for (string level = p; level != null; level = DepartmentPaths.Parent(level))
                    if (!_skippedDepartments.ContainsKey(level)) _skippedDepartments[level] = origin;
        }

        /// <summary>One warning per unreadable cell (the first 20 of a file), naming it as Excel does: "E12: #N/A".</summary>
        private void WarnUnknown(string file, string sheet, int excelRow, string[] unknown)
        {
            for (int i = 0; i < unknown.Length; i++)
            {
                if (unknown[i] == null) continue;
                Summary.UnknownCells++;
                if (Summary.UnknownCells > MaxCellWarnings) continue;
                string cell = SpreadsheetFile.ColumnName(i) + excelRow;
                string tail = Summary.UnknownCells == MaxCellWarnings ? " (further such cells are counted, not listed)" : "";
                Report(new AddressBookProblem(ProblemCodes.CellUnknown, ProblemSeverity.Warning, ProblemKind.InvalidData,
                    $"{file}, sheet {sheet}, {cell}: {unknown[i]}; read as unknown (not empty): the field is neither compared nor written.{tail}"));
            }
        }

        private const int MaxCellWarnings = 20;

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
        private AddressBookColumns FindHeader(SpreadsheetFile file, string sheet, bool required, ref int rowIndex, ref string[] cells, out int firstDataRow, out int tableRows)
        {
            firstDataRow = -1;
            tableRows = 0;
            int? start = _options.StartRow;
            int limit = start.HasValue ? start.Value : _options.HeaderSearchRows - 1;
            string[] headerCells = null, nearHeader = null;
            int headerRow = -1, nearRow = -1;
            while (rowIndex < limit || (start.HasValue && rowIndex < start.Value))
            {
                if (!file.Read()) break;
                rowIndex++;
                cells = file.GetRow(cells);
                if (IsTableRow(cells)) tableRows++;
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

            // The sheet ended before -StartRow: nothing below it is data (never the last row read).
            if (start.HasValue && rowIndex < start.Value) firstDataRow = start.Value;
            if (headerCells == null && nearHeader != null) { headerCells = nearHeader; headerRow = nearRow; if (firstDataRow < 0) firstDataRow = nearRow + 1; }
            if (headerCells == null)
            {
                string where = start.HasValue ? $"at or above row {start.Value + 1}" : $"in the first {_options.HeaderSearchRows} rows";
                // Skipped: the caller counts the sheet's rows to the end and says so (SheetSkipped or IncompleteForDeletes).
                if (!required) return null;
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
            foreach (string c in cells) if (!string.IsNullOrEmpty(c) && AddressBookColumns.FieldOf(c) != null) n++;
            return n;
        }

        /// <summary>
        /// A row with two or more non-blank cells: what every member row has (姓名 and 账号 at least), and what a sheet
        /// of notes (one column of text, a title) has not.
        /// </summary>
        private static bool IsTableRow(string[] cells)
        {
            int filled = 0;
            foreach (string c in cells)
            {
                if (c == null || c.Length == 0) continue;
                foreach (char ch in c) if (!Text.IsBlank(ch)) { if (++filled >= 2) return true; break; }
            }
            return false;
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

        private void RowError(string code, string file, string sheet, int excelRow, string reason, AddressBookColumns header, string[] cells, bool skips = true)
        {
            var row = new AddressBookRow { File = file, Sheet = sheet, Row = excelRow };
            for (int i = 0; cells != null && i < header.Headers.Count && i < cells.Length; i++)
                row.Cells[header.Headers[i]] = Text.Visible(cells[i]) ?? string.Empty;
            string message = $"{row.Origin}: {reason}." + (_options.Strict ? " Import stopped (-Strict)." : " The row is skipped.");
            var problem = new AddressBookProblem(code, ProblemSeverity.Error, ProblemKind.InvalidData, message, row);
            if (skips) Summary.RowsSkipped++;
            if (_options.Strict) throw new AddressBookException(problem);
            Report(problem);
        }

        private void Progress(string activity, string sheet, SpreadsheetFile file) =>
            _output.WriteProgress(activity, $"sheet {sheet}: {Summary.RowsRead} rows", (int)(file.Fraction * 100));

        /// <summary>A warning to the output's warnings, a bad row to its errors (the row the target, as the error record's).</summary>
        private void Report(AddressBookProblem problem)
        {
            if (problem.Severity == ProblemSeverity.Warning)
            {
                if (Summary != null) Summary.Warnings++;
                _output.WriteWarning(problem.Message);
            }
            else _output.WriteError(new OutputError(problem.Code, problem.Kind, problem.Row, problem.Message, FixRowAdvice));
        }

        private static AddressBookException Fail(string code, string message) =>
            new AddressBookException(new AddressBookProblem(code, ProblemSeverity.Error, ProblemKind.InvalidData, message));
    }
}
