# Export-WeComSyncReport: plans (live and saved with Export-Clixml), Sync-* results and run logs, and the page in a real
# browser: headless Chromium (Debian package 'chromium', installed by Resolve-TestProgram when missing) renders it, and the checks read the
# rendered page (counts, a filtered row, no script error) and keep a screenshot under the test output.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $work = (Initialize-ModuleTest -Name report).Work
    # Screenshots go beside the other test results (out/TestResults).
    $testOutput = Join-Path (Split-Path (Split-Path $env:WECOMSYNC_MODULE_PATH)) 'TestResults'
    New-Item -ItemType Directory -Path $testOutput -Force | Out-Null

    function New-User([string] $UserId, [string] $Name, [string] $Mobile, [string] $Department, [string] $Source = 'WeComExport') {
        $u = [WeComSync.Model.User]::new()
        $u.UserId = $UserId; $u.Name = $Name; $u.Mobile = $Mobile; $u.Email = "$UserId@acme.cn"; $u.Source = $Source
        $u.Departments = [System.Collections.Generic.List[string]]::new([string[]]@($Department))
        if ($Source -eq 'WeComExport') { $u.Origin = "contacts.xlsx, sheet 成员, row 3" }
        $u
    }

    # 300 wanted, 300 held: 10 new, 290 matched of which every 10th has a new mobile, 10 held ones not wanted.
    $wanted = foreach ($i in 1..300) { New-User ('user{0:d4}' -f $i) "用户$i" ('+86 138{0:d8}' -f $i) ('公司/研发部/组{0}' -f ($i % 3)) }
    $held = foreach ($i in 11..310) {
        $mobile = if ($i % 10 -eq 0) { '+86 139{0:d8}' -f $i } else { '+86 138{0:d8}' -f $i }
        New-User ('user{0:d4}' -f $i) "用户$i" $mobile ('公司/研发部/组{0}' -f ($i % 3)) 'Authing'
    }
    $plan = @(Compare-Directory -ReferenceObject $wanted -DifferenceObject $held -Operation Create, Update, Delete)

    # Runs as a sync writes them (the core writer), one with a failure.
    $logs = Join-Path $work 'logs'
    function Write-Run([string] $Name, [object[]] $Changes, [string] $FailKey) {
        $run = [WeComSync.RunLog.RunLogWriter]::Start($logs, $Name)
        $run.WritePlan('users', [WeComSync.Model.Change[]] $Changes)
        $step = $run.BeginStep('users')
        foreach ($c in $Changes) {
            $r = [WeComSync.Model.Result]::new(); $r.Change = $c
            if ($c.Key -eq $FailKey) { $r.Outcome = 'Failed'; $r.ErrorCode = '60104'; $r.Error = 'mobile existed. Give the user another mobile, or free it in the WeCom console.' }
            else { $r.Outcome = 'Succeeded' }
            $step.Record($r)
        }
        $null = $run.Complete(); $run.Dispose()
        Start-Sleep -Milliseconds 1100   # run ids carry the start second
        $run
    }
    $run1 = Write-Run 'upstream' $plan[0..29] $plan[5].Key
    $run2 = Write-Run 'upstream' $plan[30..39]
    $run3 = Write-Run 'upstream' $plan[40..48] $plan[42].Key

    # The rendered page's rows: the DOM as the browser built it.
    function Get-RenderedCount([string] $Dom) {
        $m = [regex]::Match($Dom, '<p id="count" data-total="(\d+)" data-matching="(\d+)"|<p id="count" data-matching="(\d+)" data-total="(\d+)"')
        if (-not $m.Success) { return $null }
        if ($m.Groups[1].Success) { [pscustomobject]@{ Total = [int]$m.Groups[1].Value; Matching = [int]$m.Groups[2].Value } }
        else { [pscustomobject]@{ Total = [int]$m.Groups[4].Value; Matching = [int]$m.Groups[3].Value } }
    }

    # Chromium: the first on PATH; else the Debian package installed here (as root with apt-get); else the browser tests
    # skip with the one reason Resolve-TestProgram gives.
    $browser = Resolve-TestProgram chromium, chromium-browser -DebianPackage chromium -LogFolder $testOutput
    $script:chromium = $browser.Path
    $script:noBrowser = $browser.SkipReason

    # Runs Chromium headless on a file; returns its stdout (the DOM with --dump-dom) and the console lines it logged.
    function Invoke-Chromium([string] $Url, [string[]] $Arguments) {
        $psi = [Diagnostics.ProcessStartInfo]::new($script:chromium)
        foreach ($a in @('--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--hide-scrollbars',
                '--enable-logging=stderr', '--v=0', "--user-data-dir=$(Join-Path $work 'chromium-profile')") + $Arguments + @($Url)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
        $p = [Diagnostics.Process]::Start($psi)
        $out = $p.StandardOutput.ReadToEndAsync(); $err = $p.StandardError.ReadToEndAsync()
        if (-not $p.WaitForExit(90000)) { $p.Kill($true); throw "chromium did not finish within 90 s on $Url" }
        [pscustomobject]@{
            Dom     = $out.Result
            # Every console message (console.error, an uncaught exception, a blocked resource) is logged as a CONSOLE line.
            Console = @($err.Result -split "`n" | Where-Object { $_ -match ':CONSOLE' })
        }
    }
    function ConvertTo-FileUrl([string] $Path) { [uri]::new((Resolve-Path $Path).Path).AbsoluteUri }

    # A CJK font where the page is opened (the report names the common families; any one renders the Chinese). WenQuanYi
    # Micro Hei (fonts-wqy-microhei, 1.6 MB to fetch, 5 MB installed) rather than fonts-noto-cjk (57 MB, 91 MB installed):
    # the same check, a thirtieth of the CI time. Looked for only where there is a browser to render with.
    $script:noCjk = if ($script:noBrowser) { $script:noBrowser } else { (Resolve-TestFont 'WenQuanYi Micro Hei' -DebianPackage fonts-wqy-microhei -LogFolder $testOutput).SkipReason }

    # The layout as the browser drew it at a width: the page with a script added that writes what it measured into the DOM.
    function Get-RenderedLayout([string] $File, [int] $Width = 1280) {
        $measure = @'
<script>
(function () {
  var out = { viewport: window.innerWidth, scrollWidth: document.documentElement.scrollWidth, tables: [], columns: {}, segments: 0, brokenSegments: 0 };
  var tables = document.querySelectorAll('table');
  for (var i = 0; i < tables.length; i++) { var r = tables[i].getBoundingClientRect(); out.tables.push({ id: tables[i].id || tables[i].className, right: r.right }); }
  var ths = document.querySelectorAll('#rows thead th');
  for (var j = 0; j < ths.length; j++) out.columns[ths[j].textContent] = ths[j].getBoundingClientRect().width;
  // A department name drawn on two lines is a path wrapped inside a name, not at a separator.
  var segs = document.querySelectorAll('#rows td .seg');
  out.segments = segs.length;
  for (var k = 0; k < segs.length; k++) if (segs[k].getClientRects().length > 1) out.brokenSegments++;
  // Chinese in the page's own font against tofu (private-use characters no font draws): equal when no CJK font is found.
  var c = document.createElement('canvas').getContext('2d');
  c.font = getComputedStyle(document.body).font;
  out.cjk = c.measureText('\u7814\u53D1\u90E8').width;
  out.tofu = c.measureText('\uE000\uE001\uE002').width;
  var pre = document.createElement('pre'); pre.id = 'layout'; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
})();
</script>
'@
        $copy = [IO.Path]::ChangeExtension($File, ".measured-$Width.html")
        Set-Content -LiteralPath $copy -Value ((Get-Content -LiteralPath $File -Raw).Replace('</body>', "$measure</body>")) -NoNewline
        $page = Invoke-Chromium (ConvertTo-FileUrl $copy) @("--window-size=$Width,1600", '--dump-dom')
        $page.Console | Should -BeNullOrEmpty
        $json = [regex]::Match($page.Dom, '<pre id="layout">([^<]*)</pre>').Groups[1].Value
        $json | Should -Not -BeNullOrEmpty -Because 'the measuring script ran'
        [System.Net.WebUtility]::HtmlDecode($json) | ConvertFrom-Json
    }

    # A downstream run as the runs report shows it at its widest: deep Chinese department paths, a department keyed by
    # its path, a long userid and e-mail, a long error with what to do, two runs (the Run column).
    $wideLogs = Join-Path $work 'wide-logs'
    function New-WideRun {
        function D([string] $Path, [string] $Id) { $d = [WeComSync.Model.Department]::new(); $d.Path = $Path; $d.Name = ($Path -split '/')[-1]; $d.Key = $Id; $d.LinkId = $Id; $d.Source = 'WeComApi'; $d }
        $paths = '星河科技有限公司/研发中心/基础平台部/数据库与存储组', '星河科技有限公司/研发中心/基础平台部/可观测性与稳定性保障组',
            '星河科技有限公司/市场与销售中心/华东大区/上海浦东新区销售一部', '星河科技有限公司/人力资源与行政管理部'
        $changes = [Collections.Generic.List[WeComSync.Model.Change]]::new()
        $i = 0
        foreach ($p in $paths) { $i++; $c = [WeComSync.Model.Change]::new(); $c.Operation = 'Create'; $c.Kind = 'Department'; $c.Key = "$(100 + $i)"; $c.Desired = D $p "$(100 + $i)"; $changes.Add($c) }
        $c = [WeComSync.Model.Change]::new(); $c.Operation = 'Create'; $c.Kind = 'Department'; $c.Key = "$($paths[0])/云原生基础设施组"; $c.Desired = D $c.Key $c.Key; $changes.Add($c)
        foreach ($id in 'zhang.san', 'li.si', 'ouyang.xiaoming_external_contractor_2024') {
            $u = New-User $id "用户$id" '+86 13800001111' '101' 'Authing'
            $u.Position = '高级软件工程师'
            $c = [WeComSync.Model.Change]::new(); $c.Operation = 'Update'; $c.Kind = 'User'; $c.Key = $id; $c.Current = $u; $c.Desired = $u
            $c.Fields.Add([WeComSync.Model.FieldChange]::new('Departments', [string[]]@($paths[0]), [string[]]@($paths[1], $paths[3])))
            $changes.Add($c)
        }
        $seq = 0; foreach ($c in $changes) { $c.Sequence = ++$seq }
        $run = [WeComSync.RunLog.RunLogWriter]::Start($wideLogs, 'downstream')
        $run.WritePlan('departments', [WeComSync.Model.Change[]] @($changes | Where-Object Kind -EQ Department))
        $run.WritePlan('users', [WeComSync.Model.Change[]] @($changes | Where-Object Kind -EQ User))
        foreach ($kind in 'Department', 'User') {
            $step = $run.BeginStep($(if ($kind -eq 'User') { 'users' } else { 'departments' }))
            foreach ($c in $changes | Where-Object Kind -EQ $kind) {
                $r = [WeComSync.Model.Result]::new(); $r.Change = $c; $r.Outcome = 'Succeeded'
                if ($c.Sequence % 4 -eq 0) {
                    $r.Outcome = 'Failed'; $r.ErrorCode = '60104'
                    $r.Error = 'WeCom refused the member: the mobile number is already used by another member of the corp (60104 mobile existed). Give the user another mobile number in Authing, or free it in the WeCom admin console, then run again.'
                }
                $step.Record($r)
            }
            $step.Complete()
        }
        $null = $run.Complete(); $run.Dispose()
        Start-Sleep -Milliseconds 1100   # run ids carry the start second
    }
    New-WideRun; New-WideRun
}

AfterAll { Complete-ModuleTest }

Describe 'Export-WeComSyncReport' {
    It 'writes one self-contained HTML file of a plan: summary counts, every change, nothing fetched from elsewhere' {
        $file = Join-Path $work 'plan.html'
        $plan | Export-WeComSyncReport -OutFile $file
        $html = Get-Content $file -Raw
        $html | Should -Match '^<!DOCTYPE html>'
        $html | Should -Match '<td class="Create">Create</td><td>10</td><td>0</td><td>10</td>'
        $html | Should -Match '<td class="Update">Update</td><td>29</td><td>0</td><td>29</td>'
        $html | Should -Match '<td class="Delete">Delete</td><td>10</td>'
        $html | Should -Match 'data-total="49"'
        $html | Should -Not -Match '(src|href)="(https?:)?//'
        $html | Should -Match 'WeCom export contacts\.xlsx'
        $html | Should -Match '\+86 13900000020'
    }

    It 'reports a plan saved with Export-Clixml and read back, the same as the live plan' {
        $xml = Join-Path $work 'plan.xml'
        $plan | Export-Clixml $xml
        $live = Join-Path $work 'live.html'; $saved = Join-Path $work 'saved.html'
        $plan | Export-WeComSyncReport -OutFile $live
        Import-Clixml $xml | Export-WeComSyncReport -OutFile $saved
        $rows = { param($f) [regex]::Match((Get-Content $f -Raw), 'id="report-data">(.*?)</script>').Groups[1].Value | ConvertFrom-Json }
        $a = & $rows $live; $b = & $rows $saved
        $b.rows.Count | Should -Be 49
        ($b.rows | ForEach-Object { $_[5] }) | Should -Be ($a.rows | ForEach-Object { $_[5] })
        ($b.rows | Where-Object { $_[5] -eq 'user0020' })[7][0] | Should -Be @('Mobile', '+86 13900000020', '+86 13800000020')
        (Get-Content $saved -Raw) | Should -Match 'Users</dt><dd>Plan: 10 to create, 29 to update, 0 to move, 10 to delete\.</dd>'
    }

    It 'counts what it is given: a plan piped through Where-Object, in the report and the console view, live and read back in a new session' {
        # The edge: the changes given are a part of the plan their context describes (10 create, 29 update, 10 delete).
        $file = Join-Path $work 'filtered.html'
        $plan | Where-Object Operation -EQ Delete | Export-WeComSyncReport -OutFile $file
        $html = Get-Content $file -Raw
        $html | Should -Match 'Users</dt><dd>Plan: 0 to create, 0 to update, 0 to move, 10 to delete\.</dd>'
        $html | Should -Match "Users given</dt><dd>10 of the plan&#39;s 49 changes; the whole plan: 10 to create, 29 to update, 0 to move, 10 to delete</dd>"
        $html | Should -Not -Match '<dd>Plan: 10 to create'
        $html | Should -Match 'data-total="10"'
        $html | Should -Match 'branch: 10 user change\(s\)'   # the tree counts the ten deletes, not the plan
        $html | Should -Not -Match '\b(49|39|29) user change\(s\)'

        # The console draws its heading from the first change as they stream past: it names the plan and its size only.
        $shown = $plan | Where-Object Operation -EQ Delete | Out-String -Width 200
        $shown | Should -Match 'Plan: users, computed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, 49 changes in all'
        $shown | Should -Not -Match '\d+ to (create|update)'
        ([regex]::Matches($shown, '(?m)^- delete user ')).Count | Should -Be 10

        # A new session: the plan saved, read back, filtered there.
        $xml = Join-Path $work 'filtered-plan.xml'
        $plan | Export-Clixml $xml
        $fresh = Join-Path $work 'filtered-fresh.html'
        $child = Invoke-ChildPwsh -Command "Import-Module '$env:WECOMSYNC_MODULE_PATH'; `$p = Import-Clixml '$xml' | Where-Object Operation -EQ Update; `$p | Export-WeComSyncReport -OutFile '$fresh'; `$p | Select-Object -First 2" -Width 200
        $child.ExitCode | Should -Be 0
        $child.Output | Should -Match 'Plan: users, computed [^,]+, 49 changes in all'
        $child.Output | Should -Not -Match '\d+ to (create|update)'
        (Get-Content $fresh -Raw) | Should -Match 'Users</dt><dd>Plan: 0 to create, 29 to update, 0 to move, 0 to delete\.</dd>'
        (Get-Content $fresh -Raw) | Should -Match 'Users given</dt><dd>29 of the plan&#39;s 49 changes'
    }

    It 'lists for a create only the fields it sets, and the reasons name the sides' {
        $file = Join-Path $work 'creates.html'
        $plan | Where-Object Operation -EQ Create | Export-WeComSyncReport -OutFile $file
        $data = [regex]::Match((Get-Content $file -Raw), 'id="report-data">(.*?)</script>').Groups[1].Value | ConvertFrom-Json
        $data.rows.Count | Should -Be 10
        foreach ($row in $data.rows) {
            foreach ($field in $row[7]) { $field[2] | Should -Not -BeNullOrEmpty -Because "$($row[5]) lists $($field[0]) without a value" }
            $row[11] | Should -Be 'in the WeCom export, not in Authing'
        }
        ($data.rows[0][7] | ForEach-Object { $_[0] }) | Should -Contain 'Mobile'
        ($data.rows[0][7] | ForEach-Object { $_[0] }) | Should -Not -Contain 'Alias'
    }

    It 'masks mobiles and emails on request, keeping userids readable' {
        $file = Join-Path $work 'masked.html'
        $plan | Export-WeComSyncReport -OutFile $file -MaskPersonalData
        $html = Get-Content $file -Raw
        $html | Should -Not -Match '13800000020'
        $html | Should -Not -Match 'user0020@acme\.cn'
        $html | Should -Match '\+86 138\*\*\*\*0020'
        $html | Should -Match '"user0020"'
    }

    It 'reports Sync-* results with their outcomes and what to do' {
        $r = [WeComSync.Model.Result]::new(); $r.Change = $plan[0]; $r.Outcome = 'Failed'; $r.ErrorCode = '60104'; $r.Error = 'mobile existed. Give the user another mobile.'
        $file = Join-Path $work 'results.html'
        $r | Export-Clixml (Join-Path $work 'results.xml')
        Import-Clixml (Join-Path $work 'results.xml') | Export-WeComSyncReport -OutFile $file
        $html = Get-Content $file -Raw
        $html | Should -Match '"Failed","60104","mobile existed\. Give the user another mobile\."'
        $html | Should -Match '<dt>Failed</dt><dd>1</dd>'
    }

    It 'reports runs from Get-WeComSyncLog as a history, and one run folder from -Path' {
        $history = Join-Path $work 'history.html'
        Get-WeComSyncLog -Path $logs | Export-WeComSyncReport -OutFile $history
        $html = Get-Content $history -Raw
        ([regex]::Matches($html, '<g class="run"')).Count | Should -Be 3
        $html | Should -Match 'data-total="49"'
        $html | Should -Match '<th data-sort="1">Run</th>'

        $one = Join-Path $work 'one.html'
        $file = Export-WeComSyncReport -Path $run1.Path -OutFile $one -PassThru
        $file | Should -BeOfType ([IO.FileInfo])
        $html = Get-Content $one -Raw
        $html | Should -Match 'data-total="30"'
        $html | Should -Not -Match '<g class="run"'
        $r = Get-WeComSyncLog -Path $run1.Path
        $r.Failed | Should -Be 1
        $html | Should -Match "<td class=`"users`">users</td><td>PartiallyFailed</td><td>0</td><td>$($r.Created)</td><td>$($r.Updated)</td><td>$($r.Suspended)</td><td>$($r.Deleted)</td><td>1</td>"
        $html | Should -Match 'Give the user another mobile'
    }

    It 'says clearly what is wrong with its input, and -WhatIf and -NoClobber write nothing' {
        $file = Join-Path $work 'bad.html'
        { Export-WeComSyncReport -Path (Join-Path $work 'no-such-folder') -OutFile $file -ErrorAction Stop } | Should -Throw '*does not exist*'
        { $plan[0], (Get-WeComSyncLog -Path $run1.Path) | Export-WeComSyncReport -OutFile $file -ErrorAction Stop } | Should -Throw '*mixes runs with plan changes*'
        { $plan | Export-WeComSyncReport -OutFile (Join-Path $work 'missing/x.html') -ErrorAction Stop } | Should -Throw '*does not exist*'
        [pscustomobject]@{ Name = 'x' } | Export-WeComSyncReport -OutFile $file -ErrorVariable bad -ErrorAction SilentlyContinue
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'InvalidReportInput*'
        Get-WeComSyncLog -Path $logs -Failed | Export-WeComSyncReport -OutFile $file -ErrorVariable bad -ErrorAction SilentlyContinue
        $bad[0].Exception.Message | Should -Match 'one line of a run, not the run'
        $bad[0].ErrorDetails.RecommendedAction | Should -Match 'without -Run, -Failed or -UserId'
        Test-Path $file | Should -BeFalse   # nothing usable: no report that would say the sides agree
        $shown = Invoke-Recorded { $plan | Export-WeComSyncReport -OutFile (Join-Path $work 'whatif.html') -WhatIf }
        $shown.WhatIf | Should -Be "What if: Performing the operation ""Write report of 49 change(s)"" on target ""$(Join-Path $work 'whatif.html')""."
        Test-Path (Join-Path $work 'whatif.html') | Should -BeFalse
        { $plan | Export-WeComSyncReport -OutFile (Join-Path $work 'plan.html') -NoClobber -ErrorAction Stop } | Should -Throw '*NoClobber*'
    }
}

Describe 'Export-WeComSyncReport in a browser (headless Chromium)' {
    BeforeAll {
        $planFile = Join-Path $work 'browser-plan.html'
        $plan | Export-WeComSyncReport -OutFile $planFile
        $historyFile = Join-Path $work 'browser-history.html'
        Get-WeComSyncLog -Path $logs | Export-WeComSyncReport -OutFile $historyFile
    }

    It 'renders the plan: every row counted, the first page drawn, no console error' {
        if ($script:noBrowser) { Set-ItResult -Skipped -Because $script:noBrowser; return }
        $page = Invoke-Chromium (ConvertTo-FileUrl $planFile) @('--dump-dom')
        $page.Dom | Should -Match '<body data-kind="plan"[^>]* data-ready="1"'
        $page.Dom | Should -Not -Match 'data-errors='
        $page.Console | Should -BeNullOrEmpty
        $count = Get-RenderedCount $page.Dom
        $count.Total | Should -Be 49
        $count.Matching | Should -Be 49
        ([regex]::Matches($page.Dom, '<tr data-key="user')).Count | Should -Be 49   # drawn rows (the script's own text holds the pattern too)
        $page.Dom | Should -Match 'Showing 1–49 of 49 rows\.'
    }

    It 'filters: a search in the address shows the one matching row with its field old → new' {
        if ($script:noBrowser) { Set-ItResult -Skipped -Because $script:noBrowser; return }
        $page = Invoke-Chromium ((ConvertTo-FileUrl $planFile) + '#q=user0020') @('--dump-dom')
        $page.Console | Should -BeNullOrEmpty
        $count = Get-RenderedCount $page.Dom
        $count.Matching | Should -Be 1
        $count.Total | Should -Be 49
        $rows = [regex]::Matches($page.Dom, '<tr data-key="([^"]+)">(.*?)</tr>')
        $rows.Count | Should -Be 1
        $rows[0].Groups[1].Value | Should -Be 'user0020'
        $rows[0].Groups[2].Value | Should -Match '<b>Mobile</b>: <span class="old">\+86 13900000020</span> → <span class="new">\+86 13800000020</span>'
        $page = Invoke-Chromium ((ConvertTo-FileUrl $planFile) + '#op=Delete') @('--dump-dom')
        (Get-RenderedCount $page.Dom).Matching | Should -Be 10
        ([regex]::Matches($page.Dom, '<tr data-key="user03\d\d">')).Count | Should -Be 10
    }

    It 'fits the runs report in 1280 px: no column cut off, department paths wrap at their separators, never inside a name' {
        if ($script:noBrowser) { Set-ItResult -Skipped -Because $script:noBrowser; return }
        # The edge: a long userid and e-mail, paths deeper than their column, an error with what to do, and the Run column.
        $file = Join-Path $work 'wide-runs.html'
        Export-WeComSyncReport -Path $wideLogs -OutFile $file
        $layout = Get-RenderedLayout $file 1280
        $layout.viewport | Should -Be 1280
        $layout.scrollWidth | Should -BeLessOrEqual 1280 -Because "nothing is drawn past the right edge (the Error column was, at 1618 px); columns: $($layout.columns | ConvertTo-Json -Compress)"
        foreach ($table in $layout.tables) { $table.right | Should -BeLessOrEqual 1280 -Because "table $($table.id) ends inside the page" }
        $layout.columns.'Error / what to do' | Should -BeGreaterOrEqual 182 -Because 'the error and what to do keep 13em'
        $layout.columns.Name | Should -BeGreaterOrEqual 126 -Because 'a department path gets 9em, not a character per line (it had 61 px)'
        $layout.segments | Should -BeGreaterThan 20
        $layout.brokenSegments | Should -Be 0

        $png = Join-Path $testOutput 'report-runs-1280.png'
        if (Test-Path $png) { Remove-Item $png }
        $null = Invoke-Chromium (ConvertTo-FileUrl $file) @('--window-size=1280,1600', "--screenshot=$png")
        (Get-Item $png).Length | Should -BeGreaterThan 10000
    }

    It 'renders the Chinese text with a CJK font from the page''s font stack, not as tofu' {
        if ($script:noCjk) { Set-ItResult -Skipped -Because $script:noCjk; return }
        $file = Join-Path $work 'wide-runs.html'
        if (-not (Test-Path $file)) { Export-WeComSyncReport -Path $wideLogs -OutFile $file }
        (Get-Content $file -Raw) | Should -Match '"WenQuanYi Micro Hei"'
        $layout = Get-RenderedLayout $file 1280
        # Three Han characters of a CJK font are three em (42 px at 14 px); tofu boxes are narrower.
        [Math]::Abs($layout.cjk - 42) | Should -BeLessThan 1 -Because "研发部 is drawn with a CJK font ($($layout.cjk) px)"
        [Math]::Abs($layout.cjk - $layout.tofu) | Should -BeGreaterThan 5 -Because "Chinese does not render as the boxes of characters no font has ($($layout.tofu) px)"
        $png = Join-Path $testOutput 'report-runs-cjk.png'
        if (Test-Path $png) { Remove-Item $png }
        $null = Invoke-Chromium (ConvertTo-FileUrl $file) @('--window-size=1280,1000', "--screenshot=$png")
        (Get-Item $png).Length | Should -BeGreaterThan 10000
    }

    It 'renders a history of runs with its chart and a run filter, and keeps screenshots under the test output' {
        if ($script:noBrowser) { Set-ItResult -Skipped -Because $script:noBrowser; return }
        $page = Invoke-Chromium ((ConvertTo-FileUrl $historyFile) + '#outcome=Failed') @('--dump-dom')
        $page.Console | Should -BeNullOrEmpty
        $page.Dom | Should -Match 'data-ready="1"'
        (Get-RenderedCount $page.Dom).Matching | Should -Be 2
        ([regex]::Matches($page.Dom, '<option value="\d">')).Count | Should -Be 3   # one per run

        foreach ($shot in @(@{ File = $planFile; Png = 'report-plan.png' }, @{ File = $historyFile; Png = 'report-history.png' })) {
            $png = Join-Path $testOutput $shot.Png
            if (Test-Path $png) { Remove-Item $png }
            $null = Invoke-Chromium (ConvertTo-FileUrl $shot.File) @('--window-size=1280,1600', "--screenshot=$png")
            Test-Path $png | Should -BeTrue
            $bytes = [IO.File]::ReadAllBytes($png)
            $bytes.Length | Should -BeGreaterThan 10000
            [Text.Encoding]::ASCII.GetString($bytes, 1, 3) | Should -Be 'PNG'
        }
    }
}
