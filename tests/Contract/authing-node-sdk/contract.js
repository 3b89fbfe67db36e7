// Contract test: the official Authing Node SDK's ManagementClient (which signs every request with AK/SK) creates,
// lists, updates and deletes users and departments in the WeComSync emulator, unchanged.
// usage: node contract.js <emulator base url> <result json path>
'use strict';
const fs = require('fs');
const assert = require('assert/strict');
const { ManagementClient } = require('authing-node-sdk');

const [baseUrl, resultPath] = process.argv.slice(2);
if (!baseUrl || !resultPath) {
  console.error('usage: node contract.js <emulator base url> <result json path>');
  process.exit(2);
}

const ORG = 'emulator-org';
const client = new ManagementClient({ accessKeyId: 'emulator-ak', accessKeySecret: 'emulator-sk', host: baseUrl });
const state = {};
const tests = [];
const test = (name, fn) => tests.push({ name, fn });
const ok = (r) => { assert.equal(r.statusCode, 200, JSON.stringify(r)); return r.data; };

test('setCustomFields defines the link fields', async () => {
  const data = ok(await client.setCustomFields({ list: [
    { targetType: 'USER', key: 'wechatwork_user_id', dataType: 'STRING', label: 'WeCom userid' },
    { targetType: 'DEPARTMENT', key: 'wechatwork_department_id', dataType: 'STRING', label: 'WeCom department id' },
  ] }));
  assert.equal(data.length, 2);
  // list-custom-fields is paged and wants dataType; get-custom-fields answers the whole list.
  const listed = ok(await client.listCustFields({ targetType: 'USER', dataType: 'STRING', page: 1, limit: 50 }));
  assert.deepEqual(listed.list.map((f) => f.key), ['wechatwork_user_id']);
  assert.equal(listed.totalCount, 1);
  const all = ok(await client.getCustomFields({ targetType: 'DEPARTMENT' }));
  assert.deepEqual(all.map((f) => f.key), ['wechatwork_department_id']);
});

test('listOrganizations shows the default organization', async () => {
  const data = ok(await client.listOrganizations({ page: 1, limit: 10 }));
  assert.equal(data.list[0].organizationCode, ORG);
});

test('createDepartment under root with custom data', async () => {
  // metadata is required (CreateDepartmentReqDto.metadata has no '?'; docs-v3 创建部门): without it the emulator answers 400.
  const missing = await client.createDepartment({ organizationCode: ORG, name: '无元数据', parentDepartmentId: 'root' });
  assert.equal(missing.statusCode, 400);
  const data = ok(await client.createDepartment({
    organizationCode: ORG, name: '研发部', parentDepartmentId: 'root', openDepartmentId: '2', metadata: {},
    customData: { wechatwork_department_id: '2' },
  }));
  state.dept = data.departmentId;
  assert.equal(data.name, '研发部');
  const child = ok(await client.createDepartment({ organizationCode: ORG, name: '后端组', parentDepartmentId: '2', departmentIdType: 'open_department_id', metadata: null }));
  assert.equal(child.parentDepartmentId, state.dept);
  state.child = child.departmentId;
});

test('listChildrenDepartments and getAllDepartments see the tree', async () => {
  const children = ok(await client.listChildrenDepartments({ organizationCode: ORG, departmentId: 'root' }));
  assert.deepEqual(children.list.map((d) => d.name), ['研发部']);
  const all = ok(await client.getAllDepartments({ organizationCode: ORG, departmentId: 'root', withCustomData: true }));
  assert.deepEqual(all.list.map((d) => d.name), ['研发部', '后端组']);
  assert.equal(all.list[0].customData.wechatwork_department_id, '2');
});

test('updateDepartment renames by open_department_id', async () => {
  const data = ok(await client.updateDepartment({ organizationCode: ORG, departmentId: '2', departmentIdType: 'open_department_id', name: '研发中心' }));
  assert.equal(data.name, '研发中心');
});

test('createUser and createUsersBatch with departments and custom data', async () => {
  const user = ok(await client.createUser({
    username: 'zhangsan', name: '张三', phone: '13800000000', phoneCountryCode: '+86', email: 'zs@example.com', gender: 'M',
    departmentIds: [state.dept], customData: { wechatwork_user_id: 'zhangsan' },
  }));
  state.user = user.userId;
  const batch = ok(await client.createUsersBatch({ list: [1, 2, 3].map((i) => ({ username: `user${i}`, name: `用户${i}`, customData: { wechatwork_user_id: `user${i}` } })) }));
  assert.equal(batch.length, 3);
  state.batch = batch.map((u) => u.userId);
});

test('createUser with a taken username answers 409', async () => {
  const r = await client.createUser({ username: 'zhangsan' });
  assert.equal(r.statusCode, 409);
});

test('listUsers pages with custom data and department ids', async () => {
  const page1 = ok(await client.listUsers({ options: { pagination: { page: 1, limit: 2 }, withCustomData: true, withDepartmentIds: true } }));
  assert.equal(page1.totalCount, 4);
  assert.equal(page1.list.length, 2);
  assert.equal(page1.list[0].customData.wechatwork_user_id, 'zhangsan');
  assert.deepEqual(page1.list[0].departmentIds, [state.dept]);
  const page2 = ok(await client.listUsers({ options: { pagination: { page: 2, limit: 2 } } }));
  assert.deepEqual(page2.list.map((u) => u.username), ['user2', 'user3']);
});

test('listUsers advancedFilter on a custom key', async () => {
  const data = ok(await client.listUsers({
    advancedFilter: [{ field: 'wechatwork_user_id', operator: 'EQUAL', value: 'user2' }],
    options: { pagination: { page: 1, limit: 50 }, withCustomData: true },
  }));
  assert.deepEqual(data.list.map((u) => u.username), ['user2']);
});

test('getUser and updateUser', async () => {
  ok(await client.updateUser({ userId: state.user, name: '张三丰', address: '广州' }));
  const data = ok(await client.getUser({ userId: state.user, withCustomData: true }));
  assert.equal(data.name, '张三丰');
  assert.equal(data.address, '广州');
  assert.equal(data.email, 'zs@example.com');
  const missing = await client.getUser({ userId: 'missing' });
  assert.equal(missing.statusCode, 404);
});

test('listDepartmentMembers, addDepartmentMembers and setUserDepartments', async () => {
  ok(await client.addDepartmentMembers({ organizationCode: ORG, departmentId: state.child, userIds: [state.batch[0]] }));
  const members = ok(await client.listDepartmentMembers({ organizationCode: ORG, departmentId: state.dept, includeChildrenDepartments: true, page: 1, limit: 50 }));
  assert.equal(members.totalCount, 2);
  ok(await client.setUserDepartments({ userId: state.batch[0], departments: [{ departmentId: state.dept, isMainDepartment: true }] }));
  const child = ok(await client.listDepartmentMembers({ organizationCode: ORG, departmentId: state.child, page: 1, limit: 50 }));
  assert.equal(child.totalCount, 0);
});

test('deleteUsersBatch then deleteDepartment', async () => {
  ok(await client.deleteUsersBatch({ userIds: [state.user, ...state.batch], options: { userIdType: 'user_id' } }));
  const data = ok(await client.listUsers({ options: { pagination: { page: 1, limit: 10 } } }));
  assert.equal(data.totalCount, 0);
  ok(await client.deleteDepartment({ organizationCode: ORG, departmentId: state.child }));
  ok(await client.deleteDepartment({ organizationCode: ORG, departmentId: state.dept }));
  const all = ok(await client.getAllDepartments({ organizationCode: ORG, departmentId: 'root' }));
  assert.equal(all.totalCount, 0);
});

test('a client with the wrong secret is refused (401, bad signature)', async () => {
  const wrong = new ManagementClient({ accessKeyId: 'emulator-ak', accessKeySecret: 'wrong', host: baseUrl });
  const r = await wrong.listUsers({ options: { pagination: { page: 1, limit: 10 } } });
  assert.equal(r.statusCode, 401);
  assert.equal(r.apiCode, 1300);
});

(async () => {
  let passed = 0;
  let failed = 0;
  for (const t of tests) {
    try {
      await t.fn();
      passed++;
      console.log(`  [+] ${t.name}`);
    } catch (e) {
      failed++;
      console.log(`  [-] ${t.name}: ${e && e.message}`);
    }
  }
  fs.writeFileSync(resultPath, JSON.stringify({ Passed: passed, Failed: failed, Skipped: 0 }));
  console.log(`authing-node-sdk contract: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
})();
