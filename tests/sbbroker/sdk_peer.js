'use strict';
/* The official @azure/service-bus SDK (AMQP) as the other side of tests/test_azure_live.c's crossing check.
     node sdk_peer.js recv <conn> <topic> <sub> <count> <waitMs>
       peek-lock receive up to <count> messages, complete each, print one JSON line per message:
       {"bodyHex":"...","props":{...},"types":{name:"string"|"number"|"boolean"}}; then "DONE <n>".
     node sdk_peer.js send <conn> <topic> <bodyHex> <propsJson>
       send one message (body = the bytes, applicationProperties = the JSON object), then print "SENT".
   Prints "ERROR <code> <message>" and exits 1 on failure. Loopback only (the connection string's endpoint). */
const { ServiceBusClient } = require('@azure/service-bus');

async function main() {
  const [mode, conn, topic] = process.argv.slice(2, 5);
  const client = new ServiceBusClient(conn, { retryOptions: { maxRetries: 0, timeoutInMs: 8000 } });
  try {
    if (mode === 'recv') {
      const [sub, count, waitMs] = process.argv.slice(5, 8);
      const receiver = client.createReceiver(topic, sub, { maxAutoLockRenewalDurationInMs: 0 });
      let n = 0;
      const deadline = Date.now() + Number(waitMs);
      while (n < Number(count) && Date.now() < deadline) {
        const msgs = await receiver.receiveMessages(Number(count) - n, { maxWaitTimeInMs: Math.max(100, deadline - Date.now()) });
        for (const m of msgs) {
          const body = Buffer.isBuffer(m.body) || m.body instanceof Uint8Array ? Buffer.from(m.body) : Buffer.from(JSON.stringify(m.body));
          const types = {};
          for (const [k, v] of Object.entries(m.applicationProperties || {})) types[k] = typeof v;
          console.log(JSON.stringify({ bodyHex: body.toString('hex'), props: m.applicationProperties || {}, types, messageId: m.messageId }));
          await receiver.completeMessage(m);
          n++;
        }
      }
      await receiver.close();
      console.log(`DONE ${n}`);
    } else if (mode === 'send') {
      const [bodyHex, propsJson] = process.argv.slice(5, 7);
      const sender = client.createSender(topic);
      await sender.sendMessages({ body: new Uint8Array(Buffer.from(bodyHex, 'hex')), applicationProperties: JSON.parse(propsJson) });
      await sender.close();
      console.log('SENT');
    } else {
      throw new Error(`unknown mode ${mode}`);
    }
  } finally {
    await client.close();
  }
}

main().then(() => process.exit(0), (e) => {
  console.log(`ERROR ${(e && e.code) || '-'} ${(e && e.message) || e}`.replace(/\n/g, ' '));
  process.exit(1);
});
