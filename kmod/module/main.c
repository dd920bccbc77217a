// SPDX-License-Identifier: GPL-2.0
/*
 * pktring: capture the packets of an interface into a ring of kernel
 * memory that any number of local programs map read-only at once
 * (include/uapi/pktring.h). See README.md in this directory.
 */
#include <linux/cdev.h>
#include <linux/module.h>
#include <linux/netdevice.h>

#include "pktring_mod.h"

struct class pktring_class = {
	.name = "pktring",
	.class_groups = pktring_class_groups,
};

dev_t pktring_devt;
static struct cdev pktring_cdev;

static int __init pktring_init(void)
{
	int err;

	err = class_register(&pktring_class);
	if (err)
		return err;
	err = alloc_chrdev_region(&pktring_devt, 0, PKTRING_MAX_RINGS,
				  "pktring");
	if (err)
		goto err_class;
	cdev_init(&pktring_cdev, &pktring_ring_fops);
	pktring_cdev.owner = THIS_MODULE;
	err = cdev_add(&pktring_cdev, pktring_devt, PKTRING_MAX_RINGS);
	if (err)
		goto err_region;
	err = register_netdevice_notifier(&pktring_netdev_notifier);
	if (err)
		goto err_cdev;
	err = pktring_ctl_init();
	if (err)
		goto err_notifier;
	return 0;

err_notifier:
	unregister_netdevice_notifier(&pktring_netdev_notifier);
err_cdev:
	cdev_del(&pktring_cdev);
err_region:
	unregister_chrdev_region(pktring_devt, PKTRING_MAX_RINGS);
err_class:
	class_unregister(&pktring_class);
	return err;
}

/*
 * Runs only when no file of ours is open: open files and mappings hold
 * the module (fops owner), so rmmod is refused while a reader maps a ring.
 */
static void __exit pktring_exit(void)
{
	pktring_ctl_exit();
	pktring_remove_all();
	unregister_netdevice_notifier(&pktring_netdev_notifier);
	cdev_del(&pktring_cdev);
	unregister_chrdev_region(pktring_devt, PKTRING_MAX_RINGS);
	class_unregister(&pktring_class);
}

module_init(pktring_init);
module_exit(pktring_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pktring: packet capture into a read-only mapped ring");
MODULE_VERSION("1.0");
