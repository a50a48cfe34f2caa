"""The notice shown wherever the synthetic national demo set is visible."""

DEMO_NOTICE = "演示数据：全国驿站为程序合成，并非真实驿站。Synthetic demo data: not real stations."
