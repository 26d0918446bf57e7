// Creates one notification over tRPC (@trpc/client 11, httpBatchLink) for the user named on the command line,
// as an admin, and prints the create's output as JSON. The JUnit test listens on the event-bus bridge meanwhile.
import { client, user } from './support.mjs';

const [userId, title] = process.argv.slice(2);
const created = await client('httpBatchLink', user('ADMIN')).system.notifications.create.mutate({
  userId, type: 'SYSTEM', title, message: 'sent over tRPC',
});
console.log(JSON.stringify(created));
