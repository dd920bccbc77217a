// SPDX-License-Identifier: Apache-2.0
//
// Reads a pktring capture topic from Node.js and prints one JSON line per packet:
//   {"topic","partition","offset","epoch","seq","ts_ns","caplen","origlen","linktype","lost","data"}
// (64-bit numbers as decimal strings, data as hex). Records are Avro in Confluent wire format:
// io.pktring.Packet (one packet) or io.pktring.PacketColumns (a block, columns of packets).
//
//   node consume.js --topic pktring-demo [--bootstrap 127.0.0.1:9092]
//        [--registry http://127.0.0.1:8081/apis/ccompat/v7] [--max N]
//
// Reads every partition from its start to the end offsets seen at start, then exits.
//
// The one trap: ts_ns, seq and a block's epoch are Avro longs above 2^53, which a JavaScript
// number cannot hold, and avsc refuses them ("potential precision loss"). The Connect
// converter writes each long as {"type": "long", "connect.*": ...}, so avsc's `registry:
// {long: ...}` override never applies; a typeHook that maps every long to a BigInt type does.
'use strict';

const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');
const avro = require('avsc');

/** Avro long as BigInt: read and written as a zig-zag varint of any size. */
const BigIntLong = avro.types.LongType.__with({
	fromBuffer: (buf) => buf.readBigInt64LE(),
	toBuffer: (n) => {
		const buf = Buffer.alloc(8);
		buf.writeBigInt64LE(BigInt(n));
		return buf;
	},
	fromJSON: BigInt,
	toJSON: String,
	isValid: (n) => typeof n === 'bigint',
	compare: (a, b) => (a === b ? 0 : a < b ? -1 : 1),
});

/** Every long of the writer schema, however Connect decorated it, becomes a BigInt. */
function typeHook(schema) {
	const type = typeof schema === 'string' ? schema : schema && schema.type;
	if (type === 'long') {
		return BigIntLong;
	}
	return undefined;
}

function args(argv) {
	const o = {
		bootstrap: '127.0.0.1:9092',
		registry: 'http://127.0.0.1:8081/apis/ccompat/v7',
		topic: null,
		max: Infinity,
	};
	for (let i = 2; i < argv.length; i++) {
		const a = argv[i];
		const v = () => {
			if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
			return argv[++i];
		};
		if (a === '--bootstrap') o.bootstrap = v();
		else if (a === '--registry') o.registry = v();
		else if (a === '--topic') o.topic = v();
		else if (a === '--max') o.max = Number(v());
		else throw new Error(`unknown option ${a}`);
	}
	if (!o.topic) throw new Error('--topic is required');
	return o;
}

/** A header's value as Connect's SimpleHeaderConverter writes it: the number's decimal text. */
function header(message, key) {
	const h = message.headers && message.headers[key];
	return h === undefined ? null : h.toString('utf8');
}

/** The packets of one decoded record value. */
function packets(value, message) {
	const epoch = header(message, 'pktring.epoch');
	const lost = header(message, 'pktring.lost');
	if (value.count !== undefined && Array.isArray(value.ts_ns)) {
		// PacketColumns: column i of every array is packet i; its bytes are data[offset, +caplen).
		const out = [];
		for (let i = 0; i < value.count; i++) {
			const at = value.offset[i];
			out.push({
				epoch: String(value.epoch),
				seq: String(value.seq[i]),
				ts_ns: String(value.ts_ns[i]),
				caplen: value.caplen[i],
				origlen: value.origlen[i],
				linktype: value.linktype,
				lost: i === 0 ? String(value.lost) : '0',
				data: value.data.subarray(at, at + value.caplen[i]).toString('hex'),
			});
		}
		return out;
	}
	return [{
		epoch,
		seq: String(value.seq),
		ts_ns: String(value.ts_ns),
		caplen: value.caplen,
		origlen: value.origlen,
		linktype: value.linktype,
		lost,
		data: value.data.toString('hex'),
	}];
}

async function main() {
	const o = args(process.argv);
	const registry = new SchemaRegistry({ host: o.registry }, { [SchemaType.AVRO]: { typeHook } });
	const kafka = new Kafka({ clientId: 'pktring-consumer-js', brokers: o.bootstrap.split(','), logLevel: logLevel.WARN });

	const admin = kafka.admin();
	await admin.connect();
	const ends = await admin.fetchTopicOffsets(o.topic);
	await admin.disconnect();
	const remaining = new Map(ends.filter((p) => Number(p.high) > Number(p.low))
		.map((p) => [p.partition, BigInt(p.high)]));

	const consumer = kafka.consumer({ groupId: `pktring-consumer-js-${process.pid}-${Date.now()}` });
	await consumer.connect();
	await consumer.subscribe({ topic: o.topic, fromBeginning: true });
	let written = 0;
	const done = new Promise((resolve, reject) => {
		if (remaining.size === 0) resolve();
		consumer.run({
			autoCommit: false,
			eachMessage: async ({ topic, partition, message }) => {
				if (!remaining.has(partition) || written >= o.max) return;
				try {
					const value = await registry.decode(message.value);
					for (const p of packets(value, message)) {
						if (written >= o.max) break;
						process.stdout.write(JSON.stringify({ topic, partition, offset: message.offset, ...p }) + '\n');
						written++;
					}
				} catch (e) {
					reject(new Error(`${topic}-${partition}@${message.offset}: ${e.message}`));
					return;
				}
				if (BigInt(message.offset) + 1n >= remaining.get(partition)) remaining.delete(partition);
				if (remaining.size === 0 || written >= o.max) resolve();
			},
		}).catch(reject);
	});
	try {
		await done;
	} finally {
		await consumer.disconnect();
	}
	process.stderr.write(`pktring-consumer-js: ${written} packets from topic ${o.topic}\n`);
}

main().catch((e) => {
	process.stderr.write(`pktring-consumer-js: ${e.message}\n`);
	process.exit(1);
});
